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
 * Exactly once under stream retries without a marker of their own: each counted event's first
 * observation (or, for an event that concerns no one, a marker) is its count's guard. A batch's
 * guards and one count per source day go in TransactWriteItems of up to 100 items whose puts are
 * `attribute_not_exists`; a replayed event's guard cancels the transaction, and it is written again
 * without that event, so nothing is counted twice and nothing new is lost. Every other observation
 * (a team's other members, retractions, credits) has a key made of what it came from, so it is put
 * plainly before the transaction (one write unit, not a transaction's two) and a replay overwrites
 * it with the same item. A count may go on any of its source day's shards (reads sum them all):
 * a pack puts it on the shard of its first event there, so a batch touches one shard per pack, not
 * every shard, and concurrent batches still spread. Everything expires (`expiresAt`) after the
 * longest window a detector reads, so the state stays bounded.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Observation, ObservationGroup, ObservationStore } from "../../../domain/integrity/index.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { EventRecord } from "../../../domain/ledger/index.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

/** Longer than any window a detector reads (28 days of baseline, a month of credits). */
const keptDays = 35;
/** A person's window read at most this deep, newest first: far past any velocity worth flagging. */
const windowLimit = 2000;
/** TransactWriteItems takes 100 items: a pack's guards and a count per distinct source day. */
const maxItems = 100;
/** Plain puts in flight at once. */
const putsAtOnce = 25;

type Counted = NonNullable<ObservationGroup["counts"]>;
interface Guarded {
  /** The item whose `attribute_not_exists` put lets the count move: the event's first observation, or a marker. */
  guard: Record<string, unknown>;
  counts: Counted;
}

const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + keptDays * 86_400;
const dayKey = (counts: Counted) => `${counts.sourceId}#${counts.day}`;
const stored = (o: Observation) => ({ ...o, ...keys.observation(o.personId, o.key), expiresAt: expiresAt(o.at) });

/** Guards packed in order into transactions of at most 100 items: each guard, and a count per distinct source day. */
function packed(guarded: readonly Guarded[]): Guarded[][] {
  const packs: Guarded[][] = [];
  let days = new Set<string>();
  for (const item of guarded) {
    const last = packs.at(-1);
    const size = (last?.length ?? maxItems) + days.size + (days.has(dayKey(item.counts)) ? 1 : 2);
    if (!last || size > maxItems) {
      packs.push([item]);
      days = new Set([dayKey(item.counts)]);
    } else {
      last.push(item);
      days.add(dayKey(item.counts));
    }
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
    const guarded: Guarded[] = [];
    const plain: Record<string, unknown>[] = [];
    for (const { observations, counts } of groups) {
      const items = observations.map(stored);
      if (!counts) plain.push(...items);
      else {
        // An event that concerns no one still counts once: a marker of its own guards it.
        const [
          guard = { ...keys.countedEvent(counts.sourceId, counts.eventId), expiresAt: expiresAt(`${counts.day}T00:00:00Z`) },
          ...rest
        ] = items;
        guarded.push({ guard, counts });
        plain.push(...rest);
      }
    }
    // Before the guards: a failure after them leaves nothing unwritten that a replay would skip.
    await this.#putAll(plain);
    // One pack after another: packs of a batch may share their source days' counts, and concurrent transactions on an item conflict.
    for (const pack of packed(guarded)) await this.#keepOnce(pack);
  }

  /** Items whose keys are made of what they came from: written again, they are the same item. */
  async #putAll(items: readonly Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < items.length; i += putsAtOnce) {
      await Promise.all(
        items
          .slice(i, i + putsAtOnce)
          .map((Item) => patiently(() => this.#db.send(new PutCommand({ TableName: this.#tables.state, Item })))),
      );
    }
  }

  /**
   * A pack's guards and each source day's count once, with the sum of the pack's events, in one
   * TransactWriteItems. A guard refused by its condition was kept before (a replay): its event
   * leaves the pack and the rest is written again, so nothing is counted twice.
   */
  async #keepOnce(pack: readonly Guarded[]): Promise<void> {
    let left = pack;
    while (left.length > 0) {
      const items = this.#transaction(left);
      const refused = await patiently(async () => {
        try {
          await this.#db.send(new TransactWriteCommand({ TransactItems: items }));
          return new Set<number>();
        } catch (error) {
          const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
          // The guards come first, in the pack's order: a refused item's index is its event's.
          const failed = reasons.flatMap((reason, i) => (reason.Code === "ConditionalCheckFailed" ? [i] : []));
          if (failed.length === 0) throw error;
          return new Set(failed);
        }
      });
      if (refused.size === 0) return;
      left = left.filter((_, i) => !refused.has(i));
    }
  }

  /** The guards' puts, then a count per source day on the shard of the pack's first event there. */
  #transaction(pack: readonly Guarded[]) {
    const puts = pack.map(({ guard }) => ({
      Put: { TableName: this.#tables.state, Item: guard, ConditionExpression: "attribute_not_exists(pk)" },
    }));
    const counts = new Map<string, { key: { pk: string; sk: string }; events: number; day: string }>();
    for (const { counts: c } of pack) {
      const count = counts.get(dayKey(c)) ?? { key: keys.sourceDay(c.sourceId, c.eventId, c.day), events: 0, day: c.day };
      counts.set(dayKey(c), { ...count, events: count.events + 1 });
    }
    const updates = [...counts.values()].map(({ key, events, day }) => ({
      Update: {
        TableName: this.#tables.state,
        Key: key,
        UpdateExpression: "ADD events :events SET expiresAt = :expires",
        ExpressionAttributeValues: { ":events": events, ":expires": expiresAt(`${day}T00:00:00Z`) },
      },
    }));
    return [...puts, ...updates];
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
