/**
 * The event log on DynamoDB (state table): a copy of every accepted event record, keyed by where
 * the ledger placed it (`placedAt`: when the event happened, unless it came after a later event of
 * its people; records without it by their time), so that a replay reads a period in the ledger's
 * order with Queries instead of scanning the ledger. The projector keeps it from the ledger's stream; the event records in the
 * ledger table stay the truth, so the log can always be rebuilt from them.
 *
 * | item            | pk                           | sk                                   |
 * |-----------------|------------------------------|--------------------------------------|
 * | an event record | EVLOG#<UTC day>#<shard 0–3>  | <UTC instant placed>#<sourceId>#<eventId> |
 *
 * The shard is a hash of the source and event id: a day's events spread over four partitions,
 * and a read merges the four in time order, one page of each in memory at a time. The
 * retractions of a period (`retracted`) are read from the same items, filtered and projected: the
 * same read units as reading the period, but only a source and two ids each come back.
 */
import { createHash } from "node:crypto";
import { type DynamoDBDocumentClient, PutCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { mapLimit } from "../../../domain/kernel/concurrency.ts";
import type { EventLog, EventRecord, RetractedEvent } from "../../../domain/ledger/index.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

const putsInFlight = 16;
/** Days whose retractions are read at once (four Queries each, one per shard). */
const daysInFlight = 8;
const dayMs = 86_400_000;

const instant = (time: string) => new Date(time).toISOString();
const shardOf = (sourceId: string, eventId: string) =>
  createHash("sha256").update(`${sourceId}#${eventId}`).digest().readUInt32BE(0) % keys.eventLogShards;

export class DynamoEventLog implements EventLog {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, state: string) {
    this.#db = db;
    this.#state = state;
  }

  async keep(records: readonly EventRecord[]): Promise<void> {
    // One put per key, each a plain PutItem (the role may put, never delete): a retried stream batch writes the same items again, harmlessly.
    const items = new Map<string, Record<string, unknown>>();
    for (const record of records) {
      if (!record.time) continue;
      // Where the ledger placed it among its people's events (its time unless it came after a later one).
      const at = instant(record.placedAt ?? record.time);
      const key = keys.eventLogEntry(at.slice(0, 10), shardOf(record.sourceId, record.eventId), at, record.sourceId, record.eventId);
      items.set(`${key.pk}/${key.sk}`, { ...record, ...key });
    }
    await mapLimit([...items.values()], putsInFlight, (Item) =>
      patiently(() => this.#db.send(new PutCommand({ TableName: this.#state, Item }))),
    );
  }

  async *read(from: string, to: string): AsyncIterable<EventRecord> {
    const start = instant(from);
    const end = instant(to);
    for (let day = Date.parse(start.slice(0, 10)); day < Date.parse(end); day += dayMs) {
      const date = new Date(day).toISOString().slice(0, 10);
      const shards = Array.from({ length: keys.eventLogShards }, (_, shard) => this.#shard(date, shard, start, end));
      yield* mergeByTime(shards);
    }
  }

  async *retracted(from: string, to: string): AsyncIterable<RetractedEvent> {
    const start = instant(from);
    const end = instant(to);
    const days: string[] = [];
    for (let day = Date.parse(start.slice(0, 10)); day < Date.parse(end); day += dayMs) days.push(new Date(day).toISOString().slice(0, 10));
    const found = await mapLimit(days, daysInFlight, (day) =>
      Promise.all(Array.from({ length: keys.eventLogShards }, (_, shard) => this.#retractions(day, shard, start, end))),
    );
    for (const day of found) for (const shard of day) yield* shard;
  }

  async #retractions(day: string, shard: number, from: string, to: string): Promise<RetractedEvent[]> {
    const pages = paginateQuery(
      { client: this.#db },
      {
        TableName: this.#state,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        FilterExpression: "attribute_exists(#retracts)",
        ProjectionExpression: "sk, #sourceId, #retracts",
        ExpressionAttributeNames: { "#sourceId": "sourceId", "#retracts": "retracts" },
        ExpressionAttributeValues: { ":pk": keys.eventLog(day, shard), ":from": `${from}#`, ":to": `${to}#` },
      },
    );
    const found: RetractedEvent[] = [];
    for await (const page of pages) {
      for (const item of page.Items ?? [])
        if (!String(item.sk).startsWith(`${to}#`)) found.push({ sourceId: String(item.sourceId), eventId: String(item.retracts) });
    }
    return found;
  }

  async *#shard(day: string, shard: number, from: string, to: string): AsyncGenerator<{ sk: string; record: EventRecord }> {
    const pages = paginateQuery(
      { client: this.#db },
      {
        TableName: this.#state,
        // "#" sorts before every character of a source id, and "~" after them: the instants from..to exclusive.
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": keys.eventLog(day, shard), ":from": `${from}#`, ":to": `${to}#` },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? [])
        if (!String(item.sk).startsWith(`${to}#`)) yield { sk: String(item.sk), record: withoutKeys(item) };
    }
  }
}

/** The shards' records in sort-key order: each shard is already sorted, so the smallest head goes next. */
async function* mergeByTime(shards: AsyncGenerator<{ sk: string; record: EventRecord }>[]): AsyncGenerator<EventRecord> {
  const heads = await Promise.all(shards.map((shard) => shard.next()));
  for (;;) {
    let next = -1;
    for (const [index, head] of heads.entries()) {
      if (head.done) continue;
      const best = heads[next];
      if (next < 0 || (best && !best.done && head.value.sk < best.value.sk)) next = index;
    }
    const chosen = heads[next];
    if (!chosen || chosen.done) return;
    yield chosen.value.record;
    heads[next] = await (shards[next] as AsyncGenerator<{ sk: string; record: EventRecord }>).next();
  }
}
