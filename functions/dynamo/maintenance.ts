/**
 * Whole-ledger maintenance: verification (`npm run verify`, and on a schedule in AWS) and the
 * rebuild of every projection from the ledger (`npm run rebuild-projections`). They find the
 * chains with a parallel Scan of the ledger's keys (operator jobs, never on a request path), then
 * take one chain at a time: its head, then its entries (Query), so that memory holds one chain's
 * entries, not the ledger.
 *
 * A chain and its head are read as one consistent snapshot: the head first, then the entries; if
 * entries beyond the head's seq turn up, a write landed in between (entries and head are written
 * in one transaction), so the head is read again and the entries up to it completed. A head that
 * still stands behind its entries is a real problem, reported.
 */
import { type DynamoDBDocumentClient, PutCommand, paginateQuery, paginateScan, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimit } from "../../domain/kernel/concurrency.ts";
import type { AccountId } from "../../domain/kernel/model.ts";
import {
  type ChainState,
  foldChain,
  type LedgerEntry,
  LedgerVerifier,
  type Problem,
  type StoredChain,
  verifyLedger,
} from "../../domain/ledger/index.ts";
import { keys, withoutKeys } from "./keys.ts";

export interface Tables {
  ledger: string;
  state: string;
}

type Head = ChainState & { version: number };

/** Parallel scan segments, and chains read at once. */
const scanSegments = 4;
const chainsAtOnce = 4;
/** A long chain is read in up to this many ranges at once, of at least this many entries each. */
const rangesPerChain = 8;
const entriesPerRange = 2000;
/** Cross-chain checks take entries recorded this long before the run began: any write in flight then has landed. */
const settleMs = 5 * 60_000;

/** Every holder with entries in the ledger, from a parallel Scan of the keys only. */
async function chainHolders(db: DynamoDBDocumentClient, tables: Tables): Promise<AccountId[]> {
  const holders = new Set<string>();
  const chainPrefix = keys.chain("" as AccountId);
  await Promise.all(
    Array.from({ length: scanSegments }, async (_, segment) => {
      const pages = paginateScan(
        { client: db },
        {
          TableName: tables.ledger,
          ProjectionExpression: "pk",
          FilterExpression: "begins_with(pk, :chain) AND begins_with(sk, :entry)",
          ExpressionAttributeValues: { ":chain": chainPrefix, ":entry": keys.entryPrefix },
          Segment: segment,
          TotalSegments: scanSegments,
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) holders.add((item.pk as string).slice(chainPrefix.length));
    }),
  );
  return ([...holders] as AccountId[]).sort();
}

/** The chain head (projection), strongly consistent. */
async function head(db: DynamoDBDocumentClient, tables: Tables, holder: AccountId): Promise<Head | undefined> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tables.state,
      KeyConditionExpression: "pk = :pk AND sk = :sk",
      ExpressionAttributeValues: { ":pk": keys.head(holder).pk, ":sk": keys.head(holder).sk },
      ConsistentRead: true,
    }),
  );
  return Items?.[0] ? withoutKeys<Head>(Items[0]) : undefined;
}

/** The chain's entries after `afterSeq` (up to `throughSeq`, when known), in order, strongly consistent, page by page. */
async function entriesAfter(
  db: DynamoDBDocumentClient,
  tables: Tables,
  holder: AccountId,
  afterSeq: number,
  throughSeq?: number,
): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tables.ledger,
      KeyConditionExpression: throughSeq === undefined ? "pk = :pk AND sk > :after" : "pk = :pk AND sk BETWEEN :after AND :through",
      ExpressionAttributeValues: {
        ":pk": keys.chain(holder),
        // BETWEEN includes its ends: start just after the entry `afterSeq`.
        ":after": throughSeq === undefined ? keys.entry(holder, afterSeq).sk : keys.entry(holder, afterSeq + 1).sk,
        ...(throughSeq === undefined ? {} : { ":through": keys.entry(holder, throughSeq).sk }),
      },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) entries.push(withoutKeys<LedgerEntry>(item));
  return entries;
}

/**
 * Every entry of the chain: a long chain's known part (up to its head's seq) read in parallel
 * ranges, since a Query's pages come one after another; whatever follows, in one more Query.
 */
async function chainEntries(db: DynamoDBDocumentClient, tables: Tables, holder: AccountId, knownSeq: number): Promise<LedgerEntry[]> {
  const ranges = Math.min(rangesPerChain, Math.ceil(knownSeq / entriesPerRange));
  const size = Math.ceil(knownSeq / Math.max(ranges, 1));
  const parts = await Promise.all(
    Array.from({ length: ranges }, (_, i) => entriesAfter(db, tables, holder, i * size, Math.min(knownSeq, (i + 1) * size))),
  );
  return [...parts, await entriesAfter(db, tables, holder, knownSeq)].flat();
}

/** A chain and its head as of one moment (see the top of this file). */
async function chainSnapshot(
  db: DynamoDBDocumentClient,
  tables: Tables,
  holder: AccountId,
): Promise<StoredChain & { projection: Head | undefined }> {
  let projection = await head(db, tables, holder);
  const entries = await chainEntries(db, tables, holder, projection?.seq ?? 0);
  const last = entries.at(-1)?.seq ?? 0;
  if (last > (projection?.seq ?? 0)) {
    projection = await head(db, tables, holder);
    const through = projection?.seq ?? 0;
    if (through > last) for (const entry of await entriesAfter(db, tables, holder, last)) if (entry.seq <= through) entries.push(entry);
  }
  return { holder, entries, projection };
}

/** Verifies every chain of the ledger, or only `only`'s (no scan then). */
export async function verifyAll(
  db: DynamoDBDocumentClient,
  tables: Tables,
  only?: readonly AccountId[],
): Promise<{ chains: number; entries: number; problems: Problem[] }> {
  const verifier = new LedgerVerifier({ settledBefore: new Date(Date.now() - settleMs).toISOString() });
  const holders = only ?? (await chainHolders(db, tables));
  await mapLimit(holders, chainsAtOnce, async (holder) => verifier.add(await chainSnapshot(db, tables, holder)));
  return { chains: holders.length, entries: verifier.entries, problems: verifier.problems() };
}

/**
 * Replaces every chain head whose balances differ from the fold of its chain, keeping what is not
 * derived from the ledger (rule progress) and bumping the head's version on condition that no
 * write came in since it was read. A chain whose entries do not verify is left alone and reported.
 */
export async function rebuildProjections(
  db: DynamoDBDocumentClient,
  tables: Tables,
): Promise<{ rebuilt: AccountId[]; refused: Problem[] }> {
  const rebuilt: AccountId[] = [];
  const refused: Problem[] = [];
  await mapLimit(await chainHolders(db, tables), chainsAtOnce, async (holder) => {
    const chain = await chainSnapshot(db, tables, holder);
    const folded = foldChain(holder, chain.entries);
    const broken = verifyLedger([{ ...chain, projection: folded }]);
    if (broken.length > 0) {
      refused.push(...broken);
      return;
    }
    if (chain.projection && verifyLedger([chain]).length === 0) return;
    const current = chain.projection;
    await db.send(
      new PutCommand({
        TableName: tables.state,
        Item: { ...current, ...keys.head(holder), ...folded, version: (current?.version ?? 0) + 1 },
        ...(current
          ? { ConditionExpression: "version = :version", ExpressionAttributeValues: { ":version": current.version } }
          : { ConditionExpression: "attribute_not_exists(pk)" }),
      }),
    );
    rebuilt.push(holder);
  });
  return { rebuilt: rebuilt.sort(), refused };
}
