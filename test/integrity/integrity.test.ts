/**
 * Anti-gaming end to end: seeded gaming through the webhook and by hand, the ledger's stream read
 * by the projector (which runs the detectors), review items read and decided by an approver. Each
 * pattern raises its flag with the entries that raised it; a replayed stream batch counts and
 * opens nothing again.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { defaultTimeZone, periodKey } from "../../domain/kernel/periods.ts";
import type { handler as projectorHandler } from "../../functions/background/projector.ts";
import { createDocumentClient, createDynamoClient } from "../../functions/dynamo/client.ts";
import { DynamoObservationStore } from "../../functions/dynamo/stores/integrity-store.ts";
import { lambdaContext, loadHandler } from "../../scripts/local/lambda.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import { as } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

// This stage's settings: a source is spiking from 30 events a day (the default is 500), and flagged people's awards wait for a review.
process.env.INTEGRITY = JSON.stringify({ sourceDailyFloor: 30, holdFlagged: true });

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const course = "com.tianma.learning.course.completed";
const projector = await loadHandler<typeof projectorHandler>("projector");
const seen: DynamoDBRecord[] = [];
const poller = new StreamPoller({
  endpoint: process.env.DYNAMODB_ENDPOINT as string,
  client: createDynamoClient(),
  table: tableNames.ledger,
  handler: async (event: DynamoDBStreamEvent, context) => {
    seen.push(...event.Records);
    return projector(event, context);
  },
});
const approver = await as("jiang-wen", "approver", "manager");
/** The company's day (Asia/Shanghai unless the stage says otherwise), as the detectors name it. */
const today = periodKey(new Date(), "day", process.env.TIME_ZONE ?? defaultTimeZone);

async function send(events: ReturnType<typeof cloudEvent>[]) {
  const { body } = await deliver(learning, events, { secret: secrets[learning] as string });
  expect(body.results.map((r: { status: string }) => r.status)).toEqual(events.map(() => "accepted"));
  return events;
}
const courses = (personId: string, scores: number[]) =>
  scores.map((score, i) => cloudEvent(course, personId, { courseId: `c-${personId}-${i}`, score }));
const openItems = async () => (await approver.get("/admin/reviews")).body.items as { flagId: string; entryIds: string[] }[];

describe("seeded gaming", async () => {
  // 21 passed courses in one day: each awards coins (the daily cap is on points only).
  await send(courses("huang-tao", Array(21).fill(90)));
  // Three tries just under the threshold of 80, then just over it.
  await send(courses("wu-min", [77, 78, 79, 81]));
  // The same course result retracted and sent again under a new id, twice.
  for (let round = 0; round < 3; round++) {
    const [again] = await send([cloudEvent(course, "ma-chao", { courseId: "resend", score: 95 })]);
    if (round < 2)
      expect((await admin.post(`/admin/sources/${learning}/events/${again?.id}/retraction`, { reason: "重发" })).status).toBe(200);
  }
  // Two admins award each other by hand.
  const other = await as("deng-hua", "admin");
  const award = (client: typeof admin, personId: string) =>
    client.post("/awards", { personId, coins: 500, reason: "表现突出" }, { "idempotency-key": randomUUID() });
  expect((await award(admin, "deng-hua")).status).toBe(201);
  expect((await award(other, "cao-yi")).status).toBe(201);
  // Ordinary activity beside it, which must raise nothing of its own.
  await send(courses("yang-xue", [88, 92, 65]));
  await send(courses("hu-yan", [90, 71]));
  await poller.drain();
  const items = await openItems();
  const byDetector = (prefix: string) => items.find((i) => i.flagId.startsWith(prefix));

  it("flags a person's award velocity, naming the day's award entries", async () => {
    const item = (await approver.get(`/admin/reviews/person-velocity:huang-tao:${today}`)).body;
    expect(item).toMatchObject({ detector: "person-velocity", people: ["huang-tao"], status: "open", figures: { today: 21, floor: 20 } });
    // Each pass's coins, the first points until the daily cap, the first course's coins.
    expect(item.entryIds.length).toBeGreaterThanOrEqual(21);
    expect(item.entryIds.every((id: string) => id.startsWith("person.huang-tao."))).toBe(true);
    expect(item.explained.zh).toContain("今日获奖事件 21 次");
  });

  it("flags a source's velocity against its baseline, once however many batches cross it", () => {
    const item = byDetector(`source-velocity:${learning}:${today}`) as unknown as { figures: { today: number; floor: number } };
    expect(item.figures.floor).toBe(30);
    expect(item.figures.today).toBeGreaterThanOrEqual(30);
  });

  it("flags near misses of a rule's threshold followed by a pass just over it", () => {
    expect(byDetector("threshold-burst:wu-min:course-passed")).toMatchObject({
      figures: { threshold: 80, nearMisses: 3, passedWith: 81 },
    });
  });

  it("flags the same content retracted and sent again", () => {
    expect(byDetector("retract-resend:ma-chao")).toMatchObject({ figures: { retracted: 2, resent: 2 } });
  });

  it("flags two people crediting each other, once for the pair", () => {
    const reciprocal = items.filter((i) => i.flagId.startsWith("reciprocal-credit:"));
    expect(reciprocal.map((i) => i.flagId)).toEqual([`reciprocal-credit:cao-yi:deng-hua:${today.slice(0, 7)}`]);
    expect(reciprocal[0]?.entryIds).toHaveLength(2);
  });

  it("raises nothing about ordinary people", () => {
    expect(items.flatMap((i) => (i as unknown as { people: string[] }).people).filter((p) => ["yang-xue", "hu-yan"].includes(p))).toEqual(
      [],
    );
    expect(items).toHaveLength(5);
  });

  it("counts and opens nothing again when the stream's batches are delivered again", async () => {
    const store = new DynamoObservationStore(createDocumentClient(), tableNames);
    const before = await store.sourceDays(learning, today);
    const replay = await projector({ Records: [...seen].reverse() }, lambdaContext("projector"));
    expect(replay.batchItemFailures).toEqual([]);
    expect(await store.sourceDays(learning, today)).toEqual(before);
    expect((await openItems()).map((i) => i.flagId).sort()).toEqual(items.map((i) => i.flagId).sort());
  });

  const held = cloudEvent(course, "huang-tao", { courseId: "after-the-flag", score: 95 });
  const coins = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body.coins;

  it("keeps a flagged person's further awards as held, moving nothing, answered 202 when all are held", async () => {
    const before = await coins("huang-tao");
    const { body } = await deliver(learning, [held, cloudEvent(course, "yang-xue", { courseId: "beside", score: 90 })], {
      secret: secrets[learning] as string,
    });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(["held", "accepted"]);
    expect(body.results[0]).toMatchObject({ id: held.id, reviews: [`person-velocity:huang-tao:${today}`] });
    const again = await deliver(learning, held, { secret: secrets[learning] as string });
    expect([again.status, again.body.results[0].status]).toEqual([202, "held"]);
    expect(await coins("huang-tao")).toBe(before);
    const item = (await approver.get(`/admin/reviews/person-velocity:huang-tao:${today}`)).body;
    expect(item.heldAwards).toEqual([
      expect.objectContaining({ personId: "huang-tao", sourceId: learning, eventId: held.id, type: course, status: "held" }),
    ]);
    // Their history shows it waiting (待审核).
    const history = await as("huang-tao", "manager");
    expect((await history.get("/people/huang-tao/ledger?limit=5")).body.held).toEqual([
      expect.objectContaining({ eventId: held.id, status: "held" }),
    ]);
  });

  it("lets an approver dismiss a false positive with a reason, once, which posts the held award once", async () => {
    const flagId = `person-velocity:huang-tao:${today}`;
    const before = await coins("huang-tao");
    const decided = await approver.post(`/admin/reviews/${flagId}/decision`, { decision: "dismiss", reason: "集中补录历史课程" });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: "dismissed", decision: { by: "jiang-wen", reason: "集中补录历史课程" } });
    expect(decided.body.heldAwards).toEqual([
      expect.objectContaining({ eventId: held.id, status: "posted", settled: expect.objectContaining({ by: "jiang-wen" }) }),
    ]);
    expect(await coins("huang-tao")).toBe(before + 20);
    const history = (await admin.get("/people/huang-tao/ledger?limit=5")).body;
    expect(history.held).toBeUndefined();
    expect(history.entries[0].actor).toMatchObject({ kind: "source", sourceId: learning, eventId: held.id });
    expect((await openItems()).map((i) => i.flagId)).not.toContain(flagId);
    expect((await approver.get("/admin/reviews?status=dismissed")).body.items.map((i: { flagId: string }) => i.flagId)).toEqual([flagId]);
    const again = await approver.post(`/admin/reviews/${flagId}/decision`, { decision: "confirm", reason: "再看" });
    expect([again.status, again.body.code]).toEqual([409, "review-closed"]);
    const repeated = await approver.post(`/admin/reviews/${flagId}/decision`, { decision: "dismiss", reason: "集中补录历史课程" });
    expect([repeated.status, repeated.body.code]).toEqual([409, "review-closed"]);
    // The source sending it again changes nothing: it was posted, once.
    const resent = await deliver(learning, held, { secret: secrets[learning] as string });
    expect(resent.body.results[0].status).toBe("duplicate");
    expect(await coins("huang-tao")).toBe(before + 20);
  });

  it("lets an admin confirm one, which rejects what it held, and keeps managers out", async () => {
    const full = byDetector("retract-resend:ma-chao:")?.flagId as string;
    const manager = await as("liu-yang", "manager");
    expect((await manager.get("/admin/reviews")).status).toBe(403);
    const before = await coins("ma-chao");
    const gamed = cloudEvent(course, "ma-chao", { courseId: "resend-again", score: 95 });
    expect((await deliver(learning, gamed, { secret: secrets[learning] as string })).body.results[0].status).toBe("held");
    const confirmed = await admin.post(`/admin/reviews/${full}/decision`, { decision: "confirm", reason: "来源确认重复发送" });
    expect(confirmed.body.status).toBe("confirmed");
    expect(confirmed.body.heldAwards).toEqual([
      expect.objectContaining({ eventId: gamed.id, status: "rejected", settled: expect.objectContaining({ reason: "来源确认重复发送" }) }),
    ]);
    const resent = (await deliver(learning, gamed, { secret: secrets[learning] as string })).body.results[0];
    expect(resent.problem).toMatchObject({ status: 409, code: "award-rejected", reason: "来源确认重复发送" });
    expect(await coins("ma-chao")).toBe(before);
    expect((await admin.get("/people/ma-chao/ledger?limit=5")).body.held).toEqual([
      expect.objectContaining({ eventId: gamed.id, status: "rejected", settled: expect.objectContaining({ reason: "来源确认重复发送" }) }),
    ]);
    expect((await approver.post(`/admin/reviews/${full}/decision`, { decision: "dismiss", reason: "" })).status).toBe(400);
  });

  it("refuses a decision on an item about the decider (403 self-review) and writes nothing; another approver decides it", async () => {
    const reciprocal = `reciprocal-credit:cao-yi:deng-hua:${today.slice(0, 7)}`;
    const burst = byDetector("threshold-burst:wu-min:")?.flagId as string;
    const attempts = [
      [admin, reciprocal],
      [await as("deng-hua", "admin"), reciprocal],
      [await as("wu-min", "approver", "manager"), burst],
    ] as const;
    for (const [client, flagId] of attempts) {
      const refused = await client.post(`/admin/reviews/${flagId}/decision`, { decision: "dismiss", reason: "我们是正常互评" });
      expect([refused.status, refused.body.code]).toEqual([403, "self-review"]);
      expect((await approver.get(`/admin/reviews/${flagId}`)).body).toMatchObject({ status: "open" });
      expect((await approver.get(`/admin/reviews/${flagId}`)).body.decision).toBeUndefined();
    }
    const decided = await approver.post(`/admin/reviews/${reciprocal}/decision`, { decision: "dismiss", reason: "季度互评，已核实" });
    expect(decided.body).toMatchObject({ status: "dismissed", decision: { by: "jiang-wen" } });
  });

  it("answers 404 for an unknown review item", async () => {
    const { status, body } = await approver.get("/admin/reviews/person-velocity:nobody:2020-01-01");
    expect([status, body.code]).toEqual([404, "review-item-not-found"]);
  });
});
