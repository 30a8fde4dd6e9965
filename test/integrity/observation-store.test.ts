/**
 * The detectors' store when the stream delivers records again (functions/dynamo/stores/
 * integrity-store.ts): a batch's counts are one transaction with a marker of the events it
 * counted. A fault before or after that transaction, the same records again in other batches (a
 * bisection's halves, a retry from the middle running further, all at once in reverse), and other
 * shards' batches whose sequence numbers interleave: every event counted once on its source's day.
 */
import { randomUUID } from "node:crypto";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { CountedEvent, Observation, StreamRange } from "../../domain/integrity/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoObservationStore } from "../../functions/dynamo/stores/integrity-store.ts";
import { tableNames } from "../support/env.ts";

const day = "2026-11-30";
const db = createDocumentClient();
const store = new DynamoObservationStore(db, tableNames);

/** A shard's stream records: sequence numbers far above any other test's, one event each. */
function shard(sourceId: string, base: bigint, length: number, step = 2n) {
  return Array.from({ length }, (_, i) => ({
    sequence: String(base + BigInt(i) * step),
    event: { sourceId, eventId: `e${i}`, day: i % 3 === 0 ? "2026-12-01" : day } satisfies CountedEvent,
  }));
}
type Records = ReturnType<typeof shard>;
const rangeOf = (records: Records): StreamRange => ({ from: records[0]?.sequence ?? "0", to: records.at(-1)?.sequence ?? "0" });
const deliver = (records: Records, on = store) =>
  on.count(
    rangeOf(records),
    records.map((r) => r.event),
  );
const expected = (records: Records) => {
  const days = new Map<string, number>();
  for (const { event } of records) days.set(event.day, (days.get(event.day) ?? 0) + 1);
  return days;
};

/** A store whose first transaction fails: before DynamoDB applies it, or after (the answer lost). */
function failingOnce(when: "before" | "after"): DynamoObservationStore {
  let failed = false;
  const send = async (command: unknown) => {
    if (failed || !(command instanceof TransactWriteCommand)) return db.send(command as TransactWriteCommand);
    failed = true;
    if (when === "after") await db.send(command);
    throw new Error(`the function timed out ${when} the transaction`);
  };
  return new DynamoObservationStore({ send } as unknown as DynamoDBDocumentClient, tableNames);
}

const base = () => BigInt(Date.now()) * 10n ** 20n + BigInt(Math.floor(Math.random() * 1e9)) * 10n ** 6n;

describe.each(["before", "after"] as const)("a batch that fails %s its counts' transaction", (when) => {
  it("counts each event once when the stream delivers its records again, in other batches, twice", async () => {
    const sourceId = `source-${randomUUID()}`;
    const records = shard(sourceId, base(), 60);
    const first = records.slice(0, 40);
    await expect(deliver(first, failingOnce(when))).rejects.toThrow(/timed out/);
    // Bisected, then the rest of the shard from the middle, then all of it at once, reversed.
    await deliver(first.slice(0, 20));
    await deliver(first.slice(20));
    await deliver(records.slice(30));
    await store.count(
      rangeOf(records),
      [...records].reverse().map((r) => r.event),
    );
    expect(await store.sourceDays(sourceId, day)).toEqual(expected(records));
  });
});

it("counts the events of another shard whose sequence numbers fall inside a counted batch's range", async () => {
  const sourceId = `source-${randomUUID()}`;
  const start = base();
  const one = shard(sourceId, start, 30).map((r) => ({ ...r, event: { ...r.event, eventId: `one-${r.event.eventId}` } }));
  const other = shard(sourceId, start + 1n, 30).map((r) => ({ ...r, event: { ...r.event, eventId: `other-${r.event.eventId}` } }));
  await deliver(one);
  await deliver(other);
  await deliver(one.slice(10));
  expect(await store.sourceDays(sourceId, day)).toEqual(expected([...one, ...other]));
});

it("keeps unusual observations as the same item, however often they are put", async () => {
  const people = ["a", "b"].map((p) => `${p}-${randomUUID()}` as PersonId);
  const at = `${day}T08:00:00.000Z`;
  const base = { at, kind: "credit" as const, entryId: `credit-${people[0]}`, amount: 10, asset: "coin" };
  const credit: Observation[] = [
    { ...base, key: `${at}#gave#${base.entryId}`, personId: people[0] as PersonId, direction: "gave", other: people[1] as PersonId },
    { ...base, key: `${at}#got#${base.entryId}`, personId: people[1] as PersonId, direction: "got", other: people[0] as PersonId },
  ];
  await store.observe(credit);
  await store.observe(credit);
  expect(await store.window(people[0] as PersonId, day)).toEqual([credit[0]]);
  expect(await store.window(people[1] as PersonId, day)).toEqual([credit[1]]);
});
