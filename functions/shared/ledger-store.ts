/**
 * LedgerStore on DynamoDB. Entries, idempotency records and reversal markers live in the
 * append-only ledger table; chain heads (balances) in the state table. Keys: see tables.ts.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Person } from "../../domain/directory.ts";
import { ContentionError, DomainError } from "../../domain/errors.ts";
import { type ChainState, emptyChain, holderOfEntryId, type LedgerEntry } from "../../domain/ledger.ts";
import { type AccountId, type EntryId, type PersonId, personAccount } from "../../domain/model.ts";
import type {
  AppendWrite,
  EntrySnapshot,
  IdempotencyRecord,
  IdempotencyRef,
  LedgerStore,
  Page,
  PersonSnapshot,
} from "../../domain/ports.ts";
import { isRetryableDynamoError } from "./dynamo.ts";
import { keys, withoutKeys } from "./keys.ts";

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;

export class DynamoLedgerStore implements LedgerStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, tableNames: { ledger: string; state: string }) {
    this.#db = db;
    this.#ledger = tableNames.ledger;
    this.#state = tableNames.state;
  }

  async readPerson(personId: PersonId, idempotency?: IdempotencyRef): Promise<PersonSnapshot> {
    const holder = personAccount(personId);
    const profileKey = keys.person(personId);
    const headKey = keys.head(holder);
    const idemKey = idempotency ? keys.idempotency(idempotency.scope, idempotency.key) : undefined;
    const found = await this.#batchGet({
      [this.#state]: [profileKey, headKey],
      ...(idemKey ? { [this.#ledger]: [idemKey] } : {}),
    });
    const head = found.get(this.#state, headKey);
    const profile = found.get(this.#state, profileKey);
    const idem = idemKey ? found.get(this.#ledger, idemKey) : undefined;
    return {
      person: profile ? withoutKeys<Person>(profile) : undefined,
      chain: head ? withoutKeys<ChainState>(head) : emptyChain(holder),
      idempotency: idem ? withoutKeys<IdempotencyRecord>(idem) : undefined,
    };
  }

  async readEntry(entryId: EntryId): Promise<EntrySnapshot> {
    const holder = holderOfEntryId(entryId);
    if (!holder) return { entry: undefined, reversedBy: undefined };
    const entryKey = keys.entry(holder, Number(entryId.slice(entryId.lastIndexOf(".") + 1)));
    const markerKey = keys.reversal(entryId);
    const found = await this.#batchGet({ [this.#ledger]: [entryKey, markerKey] });
    const entry = found.get(this.#ledger, entryKey);
    const marker = found.get(this.#ledger, markerKey);
    return {
      entry: entry ? withoutKeys<LedgerEntry>(entry) : undefined,
      reversedBy: marker ? (marker.reversedBy as EntryId) : undefined,
    };
  }

  async append(write: AppendWrite): Promise<void> {
    const { before, after, entries, idempotency } = write;
    const notExists = "attribute_not_exists(pk)";
    const items = [
      ...entries.map((entry) => ({
        Put: { TableName: this.#ledger, Item: { ...keys.entry(entry.holder, entry.seq), ...entry }, ConditionExpression: notExists },
      })),
      {
        Put: {
          TableName: this.#ledger,
          Item: { ...keys.idempotency(idempotency.scope, idempotency.key), ...idempotency },
          ConditionExpression: notExists,
        },
      },
      ...(write.reverses
        ? [
            {
              Put: {
                TableName: this.#ledger,
                Item: { ...keys.reversal(write.reverses), reversedBy: entries[0]?.entryId, recordedAt: idempotency.recordedAt },
                ConditionExpression: notExists,
              },
            },
          ]
        : []),
      {
        Put: {
          TableName: this.#state,
          Item: { ...keys.head(after.holder), ...after },
          // Optimistic concurrency: the head must still be the one the entries were chained to.
          ...(before.seq === 0
            ? { ConditionExpression: notExists }
            : { ConditionExpression: "seq = :seq", ExpressionAttributeValues: { ":seq": before.seq } }),
        },
      },
    ];
    if (items.length > 100) {
      throw new DomainError("too-large", "too-many-entries", `One write may carry at most ${100 - 3} entries.`);
    }
    try {
      await this.#db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isRetryableDynamoError(error)) throw new ContentionError("append lost a race or was throttled", { cause: error });
      throw error;
    }
  }

  async readEntries(holder: AccountId, limit: number, cursor?: string): Promise<Page<LedgerEntry>> {
    const start = cursor === undefined ? undefined : decodeCursor(cursor);
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#ledger,
        KeyConditionExpression:
          start === undefined ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk AND sk BETWEEN :prefix AND :before",
        ExpressionAttributeValues: {
          ":pk": keys.chain(holder),
          ":prefix": keys.entryPrefix,
          ...(start === undefined ? {} : { ":before": keys.entry(holder, start - 1).sk }),
        },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const items = (result.Items ?? []).map((item) => withoutKeys<LedgerEntry>(item));
    const last = items.at(-1);
    return { items, cursor: result.LastEvaluatedKey && last && last.seq > 1 ? encodeCursor(last.seq) : undefined };
  }

  async *readChain(holder: AccountId): AsyncIterable<LedgerEntry> {
    let startKey: Item | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#ledger,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.chain(holder), ":prefix": keys.entryPrefix },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield withoutKeys<LedgerEntry>(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** BatchGetItem across tables, following UnprocessedKeys until every key is answered. */
  async #batchGet(request: Record<string, Key[]>) {
    const found = new Map<string, Item>();
    const id = (table: string, key: Key) => `${table}\u0000${key.pk}\u0000${key.sk}`;
    let pending: Record<string, { Keys: Key[] }> | undefined = Object.fromEntries(
      Object.entries(request).map(([table, tableKeys]) => [table, { Keys: tableKeys }]),
    );
    for (let round = 0; pending && Object.keys(pending).length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** round));
      if (round > 6) throw new ContentionError("batch read kept coming back unprocessed");
      const result = await this.#db.send(new BatchGetCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(result.Responses ?? {})) {
        for (const item of items) found.set(id(table, { pk: item.pk as string, sk: item.sk as string }), item);
      }
      pending = result.UnprocessedKeys as Record<string, { Keys: Key[] }> | undefined;
    }
    return { get: (table: string, key: Key) => found.get(id(table, key)) };
  }
}

/** Cursors are opaque to clients; inside, the sequence number the next page starts below. */
function encodeCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^v1:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
  return Number(match[1]);
}
