/**
 * Whole-ledger maintenance: verification (`npm run verify`, and on a schedule in AWS) and the
 * rebuild of every projection from the ledger, the fund's lists included (`npm run rebuild-projections`). They find the
 * chains with a parallel Scan of the ledger's keys (operator jobs, never on a request path), then
 * take a few chains at a time: each one's head, then its entries (Query), checked as the pages
 * arrive and let go, so that memory holds a few pages, not a chain, let alone the ledger.
 *
 * A chain and its head are read as one consistent snapshot: the head first, then the entries; if
 * entries beyond the head's seq turn up, a write landed in between (entries and head are written
 * in one transaction), so the head is read again and the entries up to it completed. A head that
 * still stands behind its entries is a real problem, reported.
 */
import { type DynamoDBDocumentClient, PutCommand, paginateQuery, paginateScan, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimit } from "../../domain/kernel/concurrency.ts";
import type { AccountId, PersonId } from "../../domain/kernel/model.ts";
import { ChainCheck, type ChainState, type LedgerEntry, LedgerVerifier, type Problem } from "../../domain/ledger/index.ts";
import { keys, withoutKeys } from "./keys.ts";
import { RedemptionsOfChain, rebuildRedemptions, rebuildWaitingClaims } from "./stores/fund-lists.ts";

export interface Tables {
  ledger: string;
  state: string;
}

type Head = ChainState & { version: number };

/** Parallel scan segments, and chains read at once. */
const scanSegments = 4;
const chainsAtOnce = 4;
/**
 * A chain is read in ranges of this many entries (a Query page each), up to `rangesAhead` of them
 * in flight and handed on in order: a long chain is read in parallel, as a Query's pages come one
 * after another, while memory holds at most chainsAtOnce × rangesAhead ranges, whatever the
 * ledger's or a chain's length. Pages in flight survive V8's young-generation collections and
 * swell the heap: 8 ranges of 1,000 in flight cost about 60 MB more peak RSS than 4 of 500, with
 * no gain in speed measured (docs/PERFORMANCE.md).
 */
const entriesPerRange = 500;
const rangesAhead = 4;
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

/**
 * The chain's entries after `afterSeq` (up to `throughSeq`, when known), in order, strongly
 * consistent, a page at a time.
 */
async function* entriesAfter(
  db: DynamoDBDocumentClient,
  tables: Tables,
  holder: AccountId,
  afterSeq: number,
  throughSeq?: number,
): AsyncGenerator<LedgerEntry[]> {
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
  for await (const page of pages) yield (page.Items ?? []).map((item) => withoutKeys<LedgerEntry>(item));
}

/** The chain's entries up to `throughSeq`, read in ranges `rangesAhead` at a time, handed to `take` in order. */
async function knownEntries(
  db: DynamoDBDocumentClient,
  tables: Tables,
  holder: AccountId,
  throughSeq: number,
  take: (entries: LedgerEntry[]) => void,
): Promise<void> {
  const range = async (from: number) =>
    (await Array.fromAsync(entriesAfter(db, tables, holder, from, Math.min(throughSeq, from + entriesPerRange)))).flat();
  const inFlight: Promise<LedgerEntry[]>[] = [];
  let next = 0;
  const readNext = () => {
    if (next >= throughSeq) return;
    const read = range(next);
    // Awaited in its turn; until then a failure must not count as unhandled.
    read.catch(() => undefined);
    inFlight.push(read);
    next += entriesPerRange;
  };
  for (let i = 0; i < rangesAhead; i += 1) readNext();
  for (let read = inFlight.shift(); read; read = inFlight.shift()) {
    const entries = await read;
    readNext();
    take(entries);
  }
}

/**
 * Hands the chain's entries to `take`, page by page in order, as of one moment with its head
 * (see the top of this file), and returns that head.
 */
async function readChain(
  db: DynamoDBDocumentClient,
  tables: Tables,
  holder: AccountId,
  take: (entries: LedgerEntry[]) => void,
): Promise<Head | undefined> {
  let projection = await head(db, tables, holder);
  let last = projection?.seq ?? 0;
  await knownEntries(db, tables, holder, last, take);
  const through = async (seq: number, entries: AsyncIterable<LedgerEntry[]>) => {
    for await (const page of entries) {
      const kept = page.filter((entry) => entry.seq <= seq);
      if (kept.length > 0) take(kept);
      last = page.at(-1)?.seq ?? last;
    }
  };
  const known = last;
  await through(Number.MAX_SAFE_INTEGER, entriesAfter(db, tables, holder, known));
  if (last > known) {
    projection = await head(db, tables, holder);
    const seq = projection?.seq ?? 0;
    if (seq > last) await through(seq, entriesAfter(db, tables, holder, last));
  }
  return projection;
}

/** Verifies every chain of the ledger, or only `only`'s (no scan then). */
export async function verifyAll(
  db: DynamoDBDocumentClient,
  tables: Tables,
  only?: readonly AccountId[],
): Promise<{ chains: number; entries: number; problems: Problem[] }> {
  const verifier = new LedgerVerifier({ settledBefore: new Date(Date.now() - settleMs).toISOString() });
  const holders = only ?? (await chainHolders(db, tables));
  await mapLimit(holders, chainsAtOnce, async (holder) => {
    const chain = verifier.begin(holder);
    chain.end(await readChain(db, tables, holder, chain.take));
  });
  return { chains: holders.length, entries: verifier.entries, problems: verifier.problems() };
}

/**
 * Replaces every chain head whose balances differ from the fold of its chain, keeping what is not
 * derived from the ledger (rule progress) and bumping the head's version on condition that no
 * write came in since it was read. A chain whose entries do not verify is left alone and reported.
 * Then the fund's lists: each person's redemptions from their chain, the approvers' queue from the
 * pending claims (functions/dynamo/stores/fund-lists.ts).
 */
export async function rebuildProjections(db: DynamoDBDocumentClient, tables: Tables): Promise<{ rebuilt: string[]; refused: Problem[] }> {
  const rebuilt: string[] = [];
  const refused: Problem[] = [];
  await mapLimit(await chainHolders(db, tables), chainsAtOnce, async (holder) => {
    const check = new ChainCheck(holder);
    const redemptions = new RedemptionsOfChain();
    const current = await readChain(db, tables, holder, (entries) => {
      check.take(entries);
      redemptions.take(entries);
    });
    const folded = check.folded;
    const broken = check.problems(folded);
    if (broken.length > 0) {
      refused.push(...broken);
      return;
    }
    if (holder.startsWith("person:") && (await rebuildRedemptions(db, tables, holder.slice("person:".length) as PersonId, redemptions))) {
      rebuilt.push(`redemptions of ${holder}`);
    }
    if (current && check.problems(current).length === 0) return;
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
  if (await rebuildWaitingClaims(db, tables)) rebuilt.push("claims waiting");
  return { rebuilt: rebuilt.sort(), refused };
}
