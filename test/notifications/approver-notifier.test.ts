/**
 * Approvers hear of what waits for them, end to end on DynamoDB Local: a review item the detectors
 * open and an award a coin budget holds reach the notifier through the ledger's stream, and each
 * approver (roles in the directory, as DingTalk sign-in keeps them) gets one notice per item,
 * however often the stream is read again.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { periodKey } from "../../domain/kernel/periods.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoNotificationStore } from "../../functions/dynamo/stores/notification-store.ts";
import { DynamoReviewStore } from "../../functions/dynamo/stores/review-store.ts";
import { as } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";
import { startNotificationPath } from "./local.ts";

const path = await startNotificationPath();
afterAll(() => path.stop());
const { admin, secrets } = await withDemoDefinitions();
const db = createDocumentClient();
const store = new DynamoNotificationStore(db, tableNames.state);
const reviews = new DynamoReviewStore(db, tableNames.state, tableNames.ledger);
const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
const month = periodKey(new Date(), "month", "Asia/Shanghai");

/** Roles kept in the directory (the demo keeps them in tokens only). */
async function withRoles(personId: string, roles: string[]) {
  const { body } = await admin.get(`/admin/people/${personId}`);
  const put = await admin.put(`/admin/people/${personId}`, { ...body, roles });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
}
await withRoles("jiang-wen", ["approver", "manager"]);
await withRoles("peng-li", ["finance"]);
await withRoles("huang-tao", ["approver", "manager"]);

const noticesOf = async (personId: string, kind: string) =>
  (await store.recent(personId as PersonId, monthAgo)).filter((n) => n.data.kind === kind);

describe("notices to approvers", () => {
  it("tells each approver once of a review item opened, not the person it flags, nor again when the stream is read again", async () => {
    const flagId = `person-velocity:huang-tao:${randomUUID().slice(0, 8)}`;
    const explained = { zh: "今日获奖事件 25 次。", en: "25 awarding events today." };
    const item = {
      flagId,
      detector: "person-velocity" as const,
      people: ["huang-tao" as PersonId],
      raisedAt: new Date().toISOString(),
      figures: { today: 25 },
      entryIds: [],
      eventIds: [],
      explained,
      status: "open" as const,
    };
    expect(await reviews.open(item)).toBe(true);
    // Opened once per cause: the second try writes nothing, in the state table or the ledger.
    expect(await reviews.open(item)).toBe(false);
    await path.poller.drain();

    const told = await noticesOf("jiang-wen", "review-opened");
    expect(told).toEqual([
      expect.objectContaining({
        causeId: `review#${flagId}`,
        data: expect.objectContaining({ flagId, detector: "person-velocity", people: ["huang-tao"], explained }),
      }),
    ]);
    expect(await noticesOf("huang-tao", "review-opened")).toEqual([]);
    expect(await noticesOf("peng-li", "review-opened")).toEqual([]);
    // Its bell says it in both languages.
    const bell = (await (await as("jiang-wen", "approver", "manager")).get("/people/jiang-wen/notifications")).body.items;
    expect(bell.find((n: { kind: string }) => n.kind === "review-opened")).toMatchObject({
      zh: { title: "防刷分审查待处理", text: expect.stringContaining("今日获奖事件 25 次") },
      en: { title: "Review item opened", text: expect.stringContaining("25 awarding events today") },
    });

    const replay = path.newPoller();
    await replay.drain();
    await replay.stop();
    expect(await noticesOf("jiang-wen", "review-opened")).toEqual(told);
  });

  it("tells approvers and finance once of an award a budget held, however often the event is sent", async () => {
    const finance = await as("peng-li", "finance");
    expect((await finance.put(`/budgets/wh-north/${month}`, { coins: 10, whenExhausted: "hold" })).status).toBe(200);
    const event = cloudEvent("com.tianma.learning.course.completed", "zheng-hui", { courseId: "held-for-budget", score: 90 });
    const secret = secrets["tianma-learning"] as string;
    expect((await deliver("tianma-learning", event, { secret })).body.results[0].status).toBe("held");
    expect((await deliver("tianma-learning", event, { secret })).body.results[0].status).toBe("held");
    await path.poller.drain();

    for (const reader of ["jiang-wen", "peng-li", "huang-tao"]) {
      expect(await noticesOf(reader, "award-held")).toEqual([
        expect.objectContaining({
          causeId: `budget-held#tianma-learning#${event.id}`,
          data: expect.objectContaining({
            budgetId: `wh-north_${month}`,
            personId: "zheng-hui",
            eventId: event.id,
            link: `/budgets/wh-north/${month}/held-awards`,
          }),
        }),
      ]);
    }
    expect(await noticesOf("zheng-hui", "award-held")).toEqual([]);
  });
});
