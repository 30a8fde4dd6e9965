/**
 * The detectors' store when a batch fails half way (functions/dynamo/stores/integrity-store.ts):
 * a team's other members and credits are put plainly before the transaction that guards the
 * source's count. A fault before or after that transaction, and the stream's replays, leave every
 * observation kept and every event counted once.
 */
import { randomUUID } from "node:crypto";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { Observation, ObservationGroup } from "../../domain/integrity/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoObservationStore } from "../../functions/dynamo/stores/integrity-store.ts";
import { tableNames } from "../support/env.ts";

const day = "2026-11-30";
const at = `${day}T08:00:00.000Z`;
const db = createDocumentClient();
const store = new DynamoObservationStore(db, tableNames);

/** A team event of `people` from `sourceId`, one observation each, counted once on its source's day. */
function teamEvent(sourceId: string, eventId: string, people: PersonId[]): ObservationGroup {
  const observations = people.map(
    (personId): Observation => ({
      key: `${at}#event#${sourceId}#${eventId}`,
      personId,
      at,
      kind: "event",
      sourceId,
      eventId,
      content: "same",
      entryIds: [`entry-${eventId}-${personId}`],
      near: [],
    }),
  );
  return { observations, counts: { sourceId, eventId, day } };
}

function credit(giver: PersonId, receiver: PersonId): ObservationGroup {
  const base = { at, kind: "credit" as const, entryId: `credit-${giver}`, amount: 10, asset: "coin" };
  return {
    observations: [
      { ...base, key: `${at}#gave#credit-${giver}`, personId: giver, direction: "gave", other: receiver },
      { ...base, key: `${at}#got#credit-${giver}`, personId: receiver, direction: "got", other: giver },
    ],
  };
}

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

describe.each(["before", "after"] as const)("a batch that fails %s its counts' transaction", (when) => {
  const sourceId = `source-${randomUUID()}`;
  const people = ["a", "b", "c"].map((p) => `${p}-${randomUUID()}` as PersonId);
  const batch = [
    teamEvent(sourceId, "team", people),
    teamEvent(sourceId, "alone", [people[0] as PersonId]),
    credit(people[1] as PersonId, people[2] as PersonId),
  ];

  it("keeps every observation and counts each event once when the stream delivers it again, twice", async () => {
    await expect(failingOnce(when).observe(batch)).rejects.toThrow(/timed out/);
    await store.observe(batch);
    await store.observe([...batch].reverse());

    expect(await store.sourceDays(sourceId, day)).toEqual(new Map([[day, 2]]));
    const kinds = async (personId: PersonId) =>
      (await store.window(personId, day)).map((o) => `${o.kind}:${o.key.split("#").at(-1)}`).sort();
    expect(await kinds(people[0] as PersonId)).toEqual(["event:alone", "event:team"]);
    expect(await kinds(people[1] as PersonId)).toEqual([`credit:credit-${people[1]}`, "event:team"]);
    expect(await kinds(people[2] as PersonId)).toEqual([`credit:credit-${people[1]}`, "event:team"]);
  });
});
