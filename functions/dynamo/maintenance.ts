/**
 * Whole-ledger maintenance: verification (`npm run verify`, and on a schedule in AWS) and the
 * rebuild of every projection from the ledger (`npm run rebuild-projections`). These read every
 * item of the ledger table with a Scan: they are operator jobs, never on a request path.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { AccountId } from "../../domain/kernel/model.ts";
import { type ChainState, foldChain, type LedgerEntry, type Problem, type StoredChain, verifyLedger } from "../../domain/ledger/index.ts";
import { keys, withoutKeys } from "./keys.ts";

export interface Tables {
  ledger: string;
  state: string;
}

/** Every chain's entries, in sequence order, from one pass over the ledger table. */
async function allChains(db: DynamoDBDocumentClient, tables: Tables): Promise<Map<AccountId, LedgerEntry[]>> {
  const chains = new Map<AccountId, LedgerEntry[]>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tables.ledger,
        FilterExpression: "begins_with(pk, :chain) AND begins_with(sk, :entry)",
        ExpressionAttributeValues: { ":chain": "CHAIN#", ":entry": keys.entryPrefix },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const entry = withoutKeys<LedgerEntry>(item);
      chains.set(entry.holder, [...(chains.get(entry.holder) ?? []), entry]);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  for (const entries of chains.values()) entries.sort((a, b) => a.seq - b.seq);
  return chains;
}

/** The chain heads (projections), read with Query per holder: no scan of the state table. */
async function head(
  db: DynamoDBDocumentClient,
  tables: Tables,
  holder: AccountId,
): Promise<(ChainState & { version: number }) | undefined> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tables.state,
      KeyConditionExpression: "pk = :pk AND sk = :sk",
      ExpressionAttributeValues: { ":pk": keys.head(holder).pk, ":sk": keys.head(holder).sk },
    }),
  );
  return Items?.[0] ? withoutKeys<ChainState & { version: number }>(Items[0]) : undefined;
}

async function storedChains(db: DynamoDBDocumentClient, tables: Tables): Promise<StoredChain[]> {
  const chains = await allChains(db, tables);
  return Promise.all(
    [...chains].map(async ([holder, entries]) => {
      const stored = await head(db, tables, holder);
      return { holder, entries, projection: stored };
    }),
  );
}

export async function verifyAll(
  db: DynamoDBDocumentClient,
  tables: Tables,
): Promise<{ chains: number; entries: number; problems: Problem[] }> {
  const chains = await storedChains(db, tables);
  return { chains: chains.length, entries: chains.reduce((n, c) => n + c.entries.length, 0), problems: verifyLedger(chains) };
}

/**
 * Replaces every chain head whose balances differ from the fold of its chain, keeping what is not
 * derived from the ledger (rule progress) and bumping the head's version on condition that no
 * write came in between. A chain whose entries do not verify is left alone and reported.
 */
export async function rebuildProjections(
  db: DynamoDBDocumentClient,
  tables: Tables,
): Promise<{ rebuilt: AccountId[]; refused: Problem[] }> {
  const chains = await storedChains(db, tables);
  const rebuilt: AccountId[] = [];
  const refused = verifyLedger(chains.map((c) => ({ ...c, projection: foldChain(c.holder, c.entries) })));
  const broken = new Set(refused.map((p) => p.holder));
  for (const chain of chains) {
    if (broken.has(chain.holder)) continue;
    const folded = foldChain(chain.holder, chain.entries);
    if (chain.projection && verifyLedger([{ ...chain }]).length === 0) continue;
    const current = await head(db, tables, chain.holder);
    await db.send(
      new PutCommand({
        TableName: tables.state,
        Item: { ...current, ...keys.head(chain.holder), ...folded, version: (current?.version ?? 0) + 1 },
        ...(current
          ? { ConditionExpression: "version = :version", ExpressionAttributeValues: { ":version": current.version } }
          : { ConditionExpression: "attribute_not_exists(pk)" }),
      }),
    );
    rebuilt.push(chain.holder);
  }
  return { rebuilt, refused };
}
