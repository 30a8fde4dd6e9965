/**
 * What the anti-gaming detectors keep, on DynamoDB (state table; keys in ../keys.ts). Written by
 * the projector from the ledger's stream, read back by it to judge a batch.
 *
 * | item                          | pk                                | sk                 |
 * |-------------------------------|-----------------------------------|--------------------|
 * | an observation of a person    | INTEG#PERSON#<personId>           | <recordedAt>#<ref> |
 * | a source's events in a day    | INTEG#SOURCE#<sourceId>#<0–7>     | <UTC day>          |
 * | an event that concerns no one | INTEG#EVENT#<sourceId>#<eventId>  | COUNTED            |
 *
 * Exactly once under stream retries without a marker of their own: an event's observations and
 * its source's count are one TransactWriteItems whose puts are `attribute_not_exists`, so a
 * replayed event cancels the transaction and counts nothing again. Everything expires
 * (`expiresAt`) after the longest window a detector reads, so the state stays bounded.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Observation, ObservationGroup, ObservationStore } from "../../../domain/integrity/index.ts";
import { mapLimit } from "../../../domain/kernel/concurrency.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { EventRecord } from "../../../domain/ledger/index.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

/** Longer than any window a detector reads (28 days of baseline, a month of credits). */
const keptDays = 35;
const groupsInFlight = 8;
/** A person's window read at most this deep, newest first: far past any velocity worth flagging. */
const windowLimit = 2000;
/** TransactWriteItems takes 100 items: the count and 99 observations. */
const perTransaction = 99;

const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + keptDays * 86_400;
const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed"));

export class DynamoObservationStore implements ObservationStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #tables: { state: string; ledger: string };

  constructor(db: DynamoDBDocumentClient, tables: { state: string; ledger: string }) {
    this.#db = db;
    this.#tables = tables;
  }

  async observe(groups: readonly ObservationGroup[]): Promise<void> {
    const chunks = groups.flatMap((group) =>
      Array.from({ length: Math.max(1, Math.ceil(group.observations.length / perTransaction)) }, (_, i) => ({
        observations: group.observations.slice(i * perTransaction, (i + 1) * perTransaction),
        // A large team's observations take several transactions; the first counts the event, each is kept once.
        counts: i === 0 ? group.counts : undefined,
      })),
    );
    await mapLimit(chunks, groupsInFlight, (chunk) => patiently(() => this.#keepOnce(chunk)));
  }

  async #keepOnce({ observations, counts }: ObservationGroup): Promise<void> {
    const items: Record<string, unknown>[] = observations.map((o) => ({
      ...o,
      ...keys.observation(o.personId, o.key),
      expiresAt: expiresAt(o.at),
    }));
    // A count must be guarded by a put: an event that concerns no one gets a marker of its own.
    if (counts && items.length === 0)
      items.push({ ...keys.countedEvent(counts.sourceId, counts.eventId), expiresAt: expiresAt(`${counts.day}T00:00:00Z`) });
    const puts = items.map((Item) => ({ Put: { TableName: this.#tables.state, Item, ConditionExpression: "attribute_not_exists(pk)" } }));
    const count = counts && {
      Update: {
        TableName: this.#tables.state,
        Key: keys.sourceDay(counts.sourceId, counts.eventId, counts.day),
        UpdateExpression: "ADD events :one SET expiresAt = :expires",
        ExpressionAttributeValues: { ":one": 1, ":expires": expiresAt(`${counts.day}T00:00:00Z`) },
      },
    };
    try {
      const [only] = puts;
      if (only && puts.length === 1 && !count) await this.#db.send(new PutCommand(only.Put));
      else await this.#db.send(new TransactWriteCommand({ TransactItems: [...puts, ...(count ? [count] : [])] }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async window(personId: PersonId, since: string): Promise<Observation[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await patiently(() =>
        this.#db.send(
          new QueryCommand({
            TableName: this.#tables.state,
            KeyConditionExpression: "pk = :pk AND sk >= :since",
            ExpressionAttributeValues: { ":pk": keys.observations(personId), ":since": since },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: windowLimit - items.length,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < windowLimit);
    return items.reverse().map((item) => {
      const { expiresAt: _, ...observation } = withoutKeys<Observation & { expiresAt: number }>(item);
      return observation as Observation;
    });
  }

  async sourceDays(sourceId: string, since: string): Promise<Map<string, number>> {
    const shards = await Promise.all(
      Array.from({ length: keys.sourceDayShards }, (_, shard) =>
        patiently(() =>
          this.#db.send(
            new QueryCommand({
              TableName: this.#tables.state,
              KeyConditionExpression: "pk = :pk AND sk >= :since",
              ExpressionAttributeValues: { ":pk": keys.sourceDayShard(sourceId, shard), ":since": since },
              ConsistentRead: true,
            }),
          ),
        ),
      ),
    );
    const days = new Map<string, number>();
    for (const item of shards.flatMap((page) => page.Items ?? [])) {
      days.set(item.sk as string, (days.get(item.sk as string) ?? 0) + Number(item.events ?? 0));
    }
    return days;
  }

  async originalEvent(sourceId: string, eventId: string): Promise<EventRecord | undefined> {
    const { Item } = await patiently(() =>
      this.#db.send(new GetCommand({ TableName: this.#tables.ledger, Key: keys.event(sourceId, eventId) })),
    );
    return Item ? withoutKeys<EventRecord>(Item) : undefined;
  }
}
