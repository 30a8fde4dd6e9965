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
 * Exactly once under stream retries without a marker of their own: a batch's observations and
 * its sources' counts go in TransactWriteItems of up to 100 items whose puts are
 * `attribute_not_exists`; a replayed event's put cancels the transaction, and it is written again
 * without that event, so nothing is counted twice and nothing new is lost. Everything expires
 * (`expiresAt`) after the longest window a detector reads, so the state stays bounded.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Observation, ObservationGroup, ObservationStore } from "../../../domain/integrity/index.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { EventRecord } from "../../../domain/ledger/index.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

/** Longer than any window a detector reads (28 days of baseline, a month of credits). */
const keptDays = 35;
/** A person's window read at most this deep, newest first: far past any velocity worth flagging. */
const windowLimit = 2000;
/** TransactWriteItems takes 100 items: a pack's puts and its source days' counts. */
const perTransaction = 90;
const maxItems = 100;

const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + keptDays * 86_400;
/** Groups packed in order into transactions of at most 100 items (puts, and a count per distinct source day). */
function packed(chunks: readonly ObservationGroup[]): ObservationGroup[][] {
  const packs: ObservationGroup[][] = [];
  let size = maxItems;
  for (const chunk of chunks) {
    // Each chunk is at most 90 puts and 1 count; a count per chunk bounds the distinct ones.
    const items = Math.max(1, chunk.observations.length) + (chunk.counts ? 1 : 0);
    if (size + items > maxItems) {
      packs.push([]);
      size = 0;
    }
    packs.at(-1)?.push(chunk);
    size += items;
  }
  return packs;
}

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
        // A large team's observations take several chunks; the first counts the event, each is kept once.
        counts: i === 0 ? group.counts : undefined,
      })),
    );
    // One pack after another: packs of a batch share their source days' counts, and concurrent transactions on an item conflict.
    for (const pack of packed(chunks)) await this.#keepOnce(pack);
  }

  /**
   * A pack of groups in one TransactWriteItems: their puts, and each source day's count once with
   * the sum of the pack's events. A put refused by its condition was kept before (a replay): its
   * group leaves the pack and the rest is written again, so nothing is counted twice.
   */
  async #keepOnce(pack: readonly ObservationGroup[]): Promise<void> {
    let left = pack;
    while (left.length > 0) {
      const { items, owners } = this.#transaction(left);
      const refused = await patiently(async () => {
        try {
          await this.#db.send(new TransactWriteCommand({ TransactItems: items }));
          return new Set<number>();
        } catch (error) {
          const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
          const failed = reasons.flatMap((reason, i) => (reason.Code === "ConditionalCheckFailed" ? [owners[i] as number] : []));
          if (failed.length === 0) throw error;
          return new Set(failed);
        }
      });
      if (refused.size === 0) return;
      left = left.filter((_, i) => !refused.has(i));
    }
  }

  /** The items of a pack's transaction, and for each put the index of the group it keeps. */
  #transaction(pack: readonly ObservationGroup[]) {
    const puts = pack.flatMap(({ observations, counts }, owner) => {
      const items: Record<string, unknown>[] = observations.map((o) => ({
        ...o,
        ...keys.observation(o.personId, o.key),
        expiresAt: expiresAt(o.at),
      }));
      // A count must be guarded by a put: an event that concerns no one gets a marker of its own.
      if (counts && items.length === 0)
        items.push({ ...keys.countedEvent(counts.sourceId, counts.eventId), expiresAt: expiresAt(`${counts.day}T00:00:00Z`) });
      return items.map((Item) => ({
        owner,
        put: { Put: { TableName: this.#tables.state, Item, ConditionExpression: "attribute_not_exists(pk)" } },
      }));
    });
    const counts = new Map<string, { key: { pk: string; sk: string }; events: number; day: string }>();
    for (const { counts: c } of pack) {
      if (!c) continue;
      const key = keys.sourceDay(c.sourceId, c.eventId, c.day);
      const count = counts.get(`${key.pk}/${key.sk}`) ?? { key, events: 0, day: c.day };
      counts.set(`${key.pk}/${key.sk}`, { ...count, events: count.events + 1 });
    }
    const updates = [...counts.values()].map(({ key, events, day }) => ({
      Update: {
        TableName: this.#tables.state,
        Key: key,
        UpdateExpression: "ADD events :events SET expiresAt = :expires",
        ExpressionAttributeValues: { ":events": events, ":expires": expiresAt(`${day}T00:00:00Z`) },
      },
    }));
    return { items: [...puts.map((p) => p.put), ...updates], owners: puts.map((p) => p.owner) };
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
