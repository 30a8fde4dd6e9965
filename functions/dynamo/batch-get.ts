import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ContentionError } from "../../domain/kernel/errors.ts";

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown>;
export interface Found {
  get(table: string, key: Key): Item | undefined;
}

/**
 * BatchGetItem across tables, in one round trip when DynamoDB answers everything, following
 * UnprocessedKeys (with jittered backoff, bounded) until every key is answered.
 */
export async function batchGet(
  db: DynamoDBDocumentClient,
  request: Record<string, Key[]>,
  /** Strongly consistent reads: of every table, or of the tables named. */
  options: { consistent?: boolean | readonly string[] } = {},
): Promise<Found> {
  const found = new Map<string, Item>();
  const id = (table: string, key: Key) => `${table}\u0000${key.pk}\u0000${key.sk}`;
  type Pending = Record<string, { Keys: Key[]; ConsistentRead?: boolean }>;
  let pending: Pending | undefined = Object.fromEntries(
    Object.entries(request).map(([table, keys]) => {
      const consistent = options.consistent === true || (Array.isArray(options.consistent) && options.consistent.includes(table));
      return [table, { Keys: keys, ...(consistent ? { ConsistentRead: true } : {}) }];
    }),
  );
  for (let round = 0; pending && Object.keys(pending).length > 0; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** round));
    if (round > 6) throw new ContentionError("batch read kept coming back unprocessed");
    const result = await db.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(result.Responses ?? {})) {
      for (const item of items) found.set(id(table, { pk: item.pk as string, sk: item.sk as string }), item);
    }
    pending = result.UnprocessedKeys as Pending | undefined;
  }
  return { get: (table, key) => found.get(id(table, key)) };
}
