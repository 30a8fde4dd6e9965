/**
 * Keeping the events: every accepted event is kept in its event record (ledger table, same
 * transaction as its entries) with its subject, time, data and the rule versions that evaluated
 * it; the projector copies each record into the event log by time, which a replay reads in order.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { EventRecord } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { DynamoEventLog } from "../../functions/dynamo/stores/event-log-store.ts";
import { tableNames } from "../support/env.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver, projectorPoller } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const secret = secrets[learning] as string;
const course = "com.tianma.learning.course.completed";
const db = createDocumentClient();
const log = new DynamoEventLog(db, tableNames.state);
const poller = await projectorPoller();

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const stored = async (eventId: string) =>
  (await db.send(new GetCommand({ TableName: tableNames.ledger, Key: keys.event(learning, eventId) }))).Item as EventRecord | undefined;
const logged = async (from: string, to: string) => {
  const records: EventRecord[] = [];
  for await (const record of log.read(from, to)) records.push(record);
  return records;
};

describe("keeping the events", () => {
  it("an accepted event's record keeps its subject, time, data and the version of each rule for its type", async () => {
    const event = cloudEvent(course, "xu-jing", { courseId: "ai-201", score: 95 }, { time: minutesAgo(3) });
    const response = await deliver(learning, event, { secret });
    expect(response.body.results[0].status).toBe("accepted");

    const record = await stored(event.id);
    expect(record).toMatchObject({ type: course, subject: "xu-jing", time: event.time, data: { courseId: "ai-201", score: 95 } });
    expect(record?.ruleVersions).toEqual({ "course-passed": 1, "first-course": 1 });
  });

  it("the event log returns a period's events oldest first, retractions included, and nothing outside the period", async () => {
    const from = minutesAgo(120);
    const events = [90, 30, 60, 10].map((age, i) =>
      cloudEvent(course, i % 2 ? "ma-chao" : "hu-yan", { courseId: `log-${i}`, score: 80 + i }, { time: minutesAgo(age) }),
    );
    const before = cloudEvent(course, "hu-yan", { courseId: "log-before", score: 99 }, { time: minutesAgo(150) });
    const batch = await deliver(learning, [...events, before], { secret });
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual(Array(5).fill("accepted"));
    const retraction = await admin.post(`/admin/sources/${learning}/events/${events[0]?.id}/retraction`, { reason: "重复上报" });
    expect(retraction.status).toBeLessThan(300);

    await poller.drain();
    const ours = (await logged(from, new Date(Date.now() + 60_000).toISOString())).filter(
      (r) => r.retracts === events[0]?.id || events.some((e) => e.id === r.eventId),
    );
    expect(ours.map((r) => r.data?.courseId ?? "retraction")).toEqual(["log-0", "log-2", "log-1", "log-3", "retraction"]);
    expect(ours.map((r) => r.time)).toEqual([...ours.map((r) => r.time)].sort((a, b) => Date.parse(a ?? "") - Date.parse(b ?? "")));
    expect(ours[0]?.awards.map((a) => a.asset)).toContain("coin");
  });

  it("a stream batch delivered twice keeps each event once", async () => {
    const event = cloudEvent(course, "ma-chao", { courseId: "twice", score: 91 }, { time: minutesAgo(5) });
    await deliver(learning, event, { secret });
    await poller.drain();
    const record = (await stored(event.id)) as EventRecord;
    await log.keep([record, record]);
    const found = (await logged(minutesAgo(6), minutesAgo(4))).filter((r) => r.eventId === event.id);
    expect(found).toHaveLength(1);
  });

  it("a period's retractions name the events they retract, and none outside the period", async () => {
    const events = [40, 35].map((age, i) =>
      cloudEvent(course, "wu-min", { courseId: `retracted-${i}`, score: 90 }, { time: minutesAgo(age) }),
    );
    const retractions = events.map((e, i) =>
      cloudEvent("laurel.event.retracted", "wu-min", { eventId: e.id }, { time: minutesAgo(30 - i * 20) }),
    );
    const answers = await deliver(learning, [...events, ...retractions], { secret });
    expect(answers.body.results.map((r: { status: string }) => r.status)).toEqual(Array(4).fill("accepted"));
    await poller.drain();
    const named = async (from: string, to: string) => {
      const found: string[] = [];
      for await (const { sourceId, eventId } of log.retracted(from, to)) if (sourceId === learning) found.push(eventId);
      return found;
    };
    // The first retraction happened 30 minutes ago, the second 10.
    expect(await named(minutesAgo(45), minutesAgo(20))).toEqual([events[0]?.id]);
    expect((await named(minutesAgo(45), minutesAgo(5))).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it("event records are not entries: the verifier still finds every chain sound", async () => {
    expect(await ledgerProblems()).toEqual([]);
  });
});
