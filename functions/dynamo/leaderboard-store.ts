/**
 * Leaderboard aggregates on DynamoDB (state table), written by the projector only.
 *
 * | item                         | pk                      | sk            |
 * |------------------------------|-------------------------|---------------|
 * | a person's points in a period| LB#PERSON#<personId>    | P#<periodKey> |
 * | an org unit's, in a period   | LB#UNIT#<orgUnitId>     | P#<periodKey> |
 * | entry applied (marker)       | LB#APPLIED#<entryId>    | APPLIED       |
 * | a person's preferences       | PREFS#<personId>        | PREFS         |
 *
 * periodKey: 2026-W49, 2026-11, 2026-Q4, 2026 or all. An aggregate holds `points` and one
 * `p:<capability>` attribute per capability seen, changed with ADD.
 *
 * Exactly once: an entry's aggregates are changed in one transaction together with the put of
 * its applied marker, conditioned on the marker not existing. A duplicated, replayed or retried
 * stream record finds the marker and the whole transaction is cancelled: a no-op. Order does
 * not matter because ADD commutes. Each person's aggregates are their own partition, and every
 * unit's theirs; the root unit has none (see domain/leaderboards/boards.ts), so no single item is
 * written by every event in the company.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { type Capability, capabilities, type PersonId, personAccount } from "../../domain/kernel/model.ts";
import type {
  Aggregate,
  AggregateDelta,
  AggregateWriter,
  EntryProjection,
  LeaderboardStore,
  Preferences,
} from "../../domain/leaderboards/index.ts";
import { isRetryableDynamoError } from "./client.ts";
import { keys, withoutKeys } from "./keys.ts";

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;

const maxTransactionItems = 100;
const maxAttempts = 6;
const capabilityAttribute = (capability: Capability) => `p:${capability}`;

const keyOf = (delta: AggregateDelta): Key =>
  delta.subject.kind === "person" ? keys.boardPerson(delta.subject.id, delta.periodKey) : keys.boardUnit(delta.subject.id, delta.periodKey);

export function aggregateOf(item: Item): Aggregate {
  const byCapability: Partial<Record<Capability, number>> = {};
  for (const capability of capabilities) {
    const value = item[capabilityAttribute(capability)];
    if (typeof value === "number") byCapability[capability] = value;
  }
  return { points: typeof item.points === "number" ? item.points : 0, byCapability };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoLeaderboardStore implements LeaderboardStore, AggregateWriter {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, stateTable: string) {
    this.#db = db;
    this.#state = stateTable;
  }

  async apply(projection: EntryProjection, appliedAt: string): Promise<"applied" | "already-applied"> {
    if (projection.deltas.length + 1 > maxTransactionItems) {
      throw new Error(
        `entry ${projection.entryId} changes ${projection.deltas.length} aggregates; a transaction takes ${maxTransactionItems - 1}`,
      );
    }
    const marker = {
      Put: {
        TableName: this.#state,
        Item: {
          ...keys.boardApplied(projection.entryId),
          entryId: projection.entryId,
          personId: projection.personId,
          capability: projection.capability,
          delta: projection.delta,
          aggregates: projection.deltas.length,
          appliedAt,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    };
    const updates = projection.deltas.map((delta) => ({
      Update: {
        TableName: this.#state,
        Key: keyOf(delta),
        UpdateExpression:
          "SET #subject = :subject, #period = :period, #periodKey = :periodKey ADD #points :delta, #cap :delta, #entries :one",
        ExpressionAttributeNames: {
          "#subject": "subject",
          "#period": "period",
          "#periodKey": "periodKey",
          "#points": "points",
          "#cap": capabilityAttribute(delta.capability),
          "#entries": "entries",
        },
        ExpressionAttributeValues: {
          ":subject": `${delta.subject.kind}:${delta.subject.id}`,
          ":period": delta.period,
          ":periodKey": delta.periodKey,
          ":delta": delta.delta,
          ":one": 1,
        },
      },
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#db.send(new TransactWriteCommand({ TransactItems: [marker, ...updates] }));
        return "applied";
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (reasons?.[0]?.Code === "ConditionalCheckFailed") return "already-applied";
        // A concurrent transaction on the same aggregate (another shard's entry): retry, it is safe.
        if (attempt >= maxAttempts || !isRetryableDynamoError(error)) throw error;
        await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
      }
    }
  }

  async aggregates(kind: "person" | "unit", ids: readonly string[], periodKey: string): Promise<Map<string, Aggregate>> {
    const keyFor = (id: string) => (kind === "person" ? keys.boardPerson(id, periodKey) : keys.boardUnit(id, periodKey));
    const items = await this.#batchGet(ids.map(keyFor));
    const found = new Map<string, Aggregate>();
    for (const id of ids) {
      const item = items.get(keyString(keyFor(id)));
      if (item) found.set(id, aggregateOf(item));
    }
    return found;
  }

  async badges(personIds: readonly PersonId[]): Promise<Map<PersonId, string[]>> {
    const keyFor = (id: PersonId) => keys.head(personAccount(id));
    const items = await this.#batchGet(personIds.map(keyFor), "pk, sk, balances");
    const found = new Map<PersonId, string[]>();
    for (const id of personIds) {
      const balances = (items.get(keyString(keyFor(id)))?.balances ?? {}) as Record<string, number>;
      found.set(
        id,
        Object.entries(balances)
          .filter(([asset, amount]) => asset.startsWith("badge:") && amount > 0)
          .map(([asset]) => asset),
      );
    }
    return found;
  }

  async preferences(personIds: readonly PersonId[]): Promise<Map<PersonId, Preferences>> {
    const items = await this.#batchGet(personIds.map((id) => keys.preferences(id)));
    const found = new Map<PersonId, Preferences>();
    for (const id of personIds) {
      const item = items.get(keyString(keys.preferences(id)));
      if (item) found.set(id, withoutKeys<Preferences>(item));
    }
    return found;
  }

  async putPreferences(preferences: Preferences): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.preferences(preferences.personId), ...preferences } }));
  }

  /** BatchGetItem in chunks of 100, unprocessed keys retried with backoff. */
  async #batchGet(wanted: readonly Key[], projection?: string): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Map(wanted.map((key) => [keyString(key), key])).values()];
    const chunks: Key[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Key[] = chunk;
        for (let attempt = 1; pending.length > 0; attempt++) {
          const { Responses, UnprocessedKeys } = await this.#db.send(
            new BatchGetCommand({
              RequestItems: {
                [this.#state]: {
                  Keys: pending,
                  ...(projection ? { ProjectionExpression: projection } : {}),
                },
              },
            }),
          );
          for (const item of Responses?.[this.#state] ?? []) found.set(keyString(item as Key), item);
          pending = (UnprocessedKeys?.[this.#state]?.Keys ?? []) as Key[];
          if (pending.length > 0) {
            if (attempt >= maxAttempts) throw new Error("DynamoDB left keys unprocessed after retries");
            await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
          }
        }
      }),
    );
    return found;
  }
}

const keyString = (key: Key) => `${key.pk}\u0000${key.sk}`;
