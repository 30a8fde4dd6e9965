/**
 * What the anti-gaming detectors keep, on DynamoDB (state table; keys in ../keys.ts). Written by
 * the projector from the ledger's stream, read back by it to judge a batch.
 *
 * | item                               | pk                            | sk                          |
 * |------------------------------------|-------------------------------|-----------------------------|
 * | an unusual observation of a person | INTEG#PERSON#<personId>       | <recordedAt>#<ref>          |
 * | a source's events in a day         | INTEG#SOURCE#<sourceId>#<0–7> | <day, the company's>        |
 * | the events a stream batch counted  | INTEG#COUNTED                 | <highest seq>#<lowest>#<id> |
 *
 * An ordinary event writes nothing of its own: its awards are in the person's chain (read here
 * for velocity) and it is counted in its source's day by one update per batch. Only unusual
 * observations (domain/integrity/observations.ts, `worthKeeping`) are put, keyed by what they
 * came from, so a replay writes the same item again.
 *
 * Exactly once for the counts, whatever batches the stream makes of its records on a retry (a
 * partial batch response, a bisection, a whole batch again): a batch's counts go in one
 * TransactWriteItems with a marker of the events it counted (short hashes) under the range of
 * sequence numbers of its records. Before counting, a batch reads the markers that may hold its
 * records (those whose highest sequence number is at least its lowest; a shard's batches run one
 * at a time, so an earlier one's marker is there) and counts only the events none of them holds.
 * Sequence numbers of different shards interleave, so a marker is matched by its events, never by
 * its range alone. A count goes on one of its source day's eight shards (reads sum them all): a
 * batch puts it on the shard of its first event there, and concurrent batches spread. Everything
 * expires (`expiresAt`) after the longest window a detector reads, markers after the stream's 24
 * hours and the projector's 12-hour record age, so the state stays bounded.
 */
import { createHash } from "node:crypto";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { CountedEvent, Observation, ObservationStore, StreamRange } from "../../../domain/integrity/index.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../../../domain/ledger/index.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

/** Longer than any window a detector reads (28 days of baseline, a month of credits). */
const keptDays = 35;
/** Longer than a stream record can be retried: the stream keeps 24 hours. */
const markerDays = 2;
/** A person's window read at most this deep, newest first: far past any velocity worth flagging. */
const windowLimit = 2000;
/** A chain read a page at a time, newest first, until it passes the window's start: most people's month is one page. */
const chainPage = 250;
/** TransactWriteItems takes 100 items: a marker and at most 99 source days' counts. */
const maxDays = 99;
/** Plain puts in flight at once. */
const putsAtOnce = 25;
/** DynamoDB streams' sequence numbers have at most 40 digits: padded, they sort as numbers. */
const sequenceWidth = 40;

const expiresAt = (at: string, days = keptDays) => Math.floor(Date.parse(at) / 1000) + days * 86_400;
const stored = (o: Observation) => ({ ...o, ...keys.observation(o.personId, o.key), expiresAt: expiresAt(o.at) });
const padded = (sequence: string) => sequence.padStart(sequenceWidth, "0");
const hashOf = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 12);
/** An event in a marker: 72 bits of its source and id, enough that no two of a stream's day collide. */
const tagOf = (e: CountedEvent) => hashOf(`${e.sourceId}#${e.eventId}`);
const dayKey = (e: CountedEvent) => `${e.sourceId}#${e.day}`;

/** Events in order, in chunks of at most `maxDays` distinct source days: one transaction each. */
function chunked(events: readonly CountedEvent[]): CountedEvent[][] {
  const chunks: CountedEvent[][] = [];
  let days = new Set<string>();
  for (const event of events) {
    const last = chunks.at(-1);
    if (!last || (!days.has(dayKey(event)) && days.size === maxDays)) {
      chunks.push([event]);
      days = new Set([dayKey(event)]);
    } else {
      last.push(event);
      days.add(dayKey(event));
    }
  }
  return chunks;
}

export class DynamoObservationStore implements ObservationStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #tables: { state: string; ledger: string };

  constructor(db: DynamoDBDocumentClient, tables: { state: string; ledger: string }) {
    this.#db = db;
    this.#tables = tables;
  }

  async observe(observations: readonly Observation[]): Promise<void> {
    const items = observations.map(stored);
    for (let i = 0; i < items.length; i += putsAtOnce) {
      await Promise.all(
        items
          .slice(i, i + putsAtOnce)
          .map((Item) => patiently(() => this.#db.send(new PutCommand({ TableName: this.#tables.state, Item })))),
      );
    }
  }

  async count(range: StreamRange, events: readonly CountedEvent[]): Promise<void> {
    const from = padded(range.from);
    const to = padded(range.to);
    const unique = [...new Map(events.map((e) => [tagOf(e), e])).values()];
    for (;;) {
      const counted = await this.#counted(from, to);
      const fresh = unique.filter((e) => !counted.has(tagOf(e)));
      if (fresh.length === 0) return;
      // A marker refused by its condition was written since the read: read again and count what is left.
      let refused = false;
      for (const chunk of chunked(fresh)) refused = (await this.#countChunk(from, to, chunk)) || refused;
      if (!refused) return;
    }
  }

  /** The events counted by every marker that may hold records of `from`..`to`. */
  async #counted(from: string, to: string): Promise<Set<string>> {
    const counted = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await patiently(() =>
        this.#db.send(
          new QueryCommand({
            TableName: this.#tables.state,
            KeyConditionExpression: "pk = :pk AND sk >= :from",
            ExpressionAttributeValues: { ":pk": keys.countedRecordsPartition, ":from": from },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const marker of page.Items ?? []) if (String(marker.from) <= to) for (const tag of marker.events as string[]) counted.add(tag);
      start = page.LastEvaluatedKey;
    } while (start);
    return counted;
  }

  /** A chunk's marker and its source days' counts in one transaction; true if the marker was there already. */
  async #countChunk(from: string, to: string, chunk: readonly CountedEvent[]): Promise<boolean> {
    const tags = chunk.map(tagOf);
    const marker = {
      ...keys.countedRecords(to, from, hashOf(tags.join())),
      from,
      events: tags,
      expiresAt: expiresAt(new Date().toISOString(), markerDays),
    };
    const days = new Map<string, { key: { pk: string; sk: string }; events: number }>();
    for (const e of chunk) {
      const day = days.get(dayKey(e)) ?? { key: keys.sourceDay(e.sourceId, e.eventId, e.day), events: 0 };
      days.set(dayKey(e), { ...day, events: day.events + 1 });
    }
    const updates = [...days.values()].map(({ key, events }) => ({
      Update: {
        TableName: this.#tables.state,
        Key: key,
        UpdateExpression: "ADD events :events SET expiresAt = :expires",
        ExpressionAttributeValues: { ":events": events, ":expires": expiresAt(`${key.sk}T00:00:00Z`) },
      },
    }));
    const put = { Put: { TableName: this.#tables.state, Item: marker, ConditionExpression: "attribute_not_exists(pk)" } };
    return patiently(async () => {
      try {
        await this.#db.send(new TransactWriteCommand({ TransactItems: [put, ...updates] }));
        return false;
      } catch (error) {
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        if (reasons[0]?.Code === "ConditionalCheckFailed") return true;
        throw error;
      }
    });
  }

  async chain(personId: PersonId, since: string, limit: number): Promise<LedgerEntry[]> {
    // Eventually consistent: entries never change, and the batch's own come with it. Sequence
    // numbers, not times, order the chain, so the period ends at the first entry before `since`.
    const entries = await this.#newestFirst(
      {
        TableName: this.#tables.ledger,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :entry)",
        ExpressionAttributeValues: { ":pk": keys.chain(`person:${personId}`), ":entry": keys.entryPrefix },
      },
      { limit, page: chainPage },
      (item) => (item.recordedAt as string) >= since,
    );
    return entries.map((item) => withoutKeys<LedgerEntry>(item));
  }

  async window(personId: PersonId, since: string): Promise<Observation[]> {
    const items = await this.#newestFirst(
      {
        TableName: this.#tables.state,
        KeyConditionExpression: "pk = :pk AND sk >= :since",
        ExpressionAttributeValues: { ":pk": keys.observations(personId), ":since": since },
        ConsistentRead: true,
      },
      { limit: windowLimit, page: windowLimit },
    );
    return items.map((item) => {
      const { expiresAt: _, ...observation } = withoutKeys<Observation & { expiresAt: number }>(item);
      return observation as Observation;
    });
  }

  /** Up to `limit` items of a Query, read newest first (pages of at most `page`) until one is not `wanted`; oldest first. */
  async #newestFirst(
    query: Pick<QueryCommandInput, "TableName" | "KeyConditionExpression" | "ExpressionAttributeValues" | "ConsistentRead">,
    { limit, page: pageSize }: { limit: number; page: number },
    wanted: (item: Record<string, unknown>) => boolean = () => true,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await patiently(() =>
        this.#db.send(
          new QueryCommand({
            ...query,
            ScanIndexForward: false,
            Limit: Math.min(pageSize, limit - items.length),
            ExclusiveStartKey: start,
          }),
        ),
      );
      const found = page.Items ?? [];
      const kept = found.filter(wanted);
      items.push(...kept);
      start = kept.length === found.length ? page.LastEvaluatedKey : undefined;
    } while (start && items.length < limit);
    return items.reverse();
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
