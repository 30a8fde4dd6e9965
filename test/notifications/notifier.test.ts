/**
 * The outbox, end to end on DynamoDB Local: entries written through the API reach the notifier
 * through the ledger's stream; each notice is written once per cause, however often the stream
 * is read again, and a delivery is queued per channel.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoNotificationStore } from "../../functions/dynamo/stores/notification-store.ts";
import { tableNames } from "../support/env.ts";
import { withDemoOrg } from "../support/org.ts";
import { startNotificationPath } from "./local.ts";

const path = await startNotificationPath();
afterAll(() => path.stop());
const admin = await withDemoOrg();
const store = new DynamoNotificationStore(createDocumentClient(), tableNames.state);
const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();

const ok = async (response: Promise<{ status: number; body: any }>) => {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBeLessThan(300);
  return body;
};

describe("the notifier", () => {
  it("writes an award above the threshold and a red warning once, and nothing for a small award", async () => {
    await ok(admin.post("/awards", { personId: "liu-yang", coins: 80, reason: "季度擂台冠军" }));
    await ok(admin.post("/awards", { personId: "liu-yang", coins: 5, reason: "签到" }));
    await ok(admin.post("/deductions", { personId: "liu-yang", coins: 3, category: "red-warning", reason: "数据报送逾期" }));
    await path.poller.drain();

    const notices = await store.recent("liu-yang" as PersonId, monthAgo);
    expect(notices.map((n) => n.data)).toEqual([
      { kind: "penalty", category: "red-warning", colour: "red", coins: 3, points: 0, reason: "数据报送逾期" },
      { kind: "award", coins: 80, points: 0 },
    ]);
  });

  it("writes nothing new when the whole stream is read again, and queues each channel's delivery again with the same id", async () => {
    await store.putChannel({
      channelId: "hr-system",
      kind: "webhook",
      kinds: ["award"],
      sealed: "unused",
      language: "zh",
      active: true,
      updatedAt: new Date().toISOString(),
    });
    await ok(admin.post("/awards", { personId: "wang-fang", coins: 100, reason: "揭榜挂帅" }));
    await path.poller.drain();
    const before = await store.recent("wang-fang" as PersonId, monthAgo);
    const queued = path.sqs.size;
    expect(before).toHaveLength(1);

    const replay = path.newPoller();
    await replay.drain();
    await replay.stop();
    expect(await store.recent("wang-fang" as PersonId, monthAgo)).toEqual(before);
    // Liu Yang's notices, read again, queue their deliveries to the new channel too.
    expect(path.sqs.size).toBeGreaterThan(queued);
  });
});
