/**
 * Delivery, end to end on DynamoDB Local and the local queue, to a local receiver that checks
 * every signature: channels configured through the API, notices from awards, a receiver failing
 * half the requests and answering some too late, dead letters replayed by an admin.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import { type Attempt, deliver, deliveryOf, eventIdOf, noticesOfEntries, type Senders } from "../../domain/notifications/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoNotificationStore } from "../../functions/dynamo/stores/notification-store.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { as } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoOrg } from "../support/org.ts";
import { startNotificationPath } from "./local.ts";
import { robotSecret, startReceiver, webhookSecret } from "./receiver.ts";

let skew = 0;
const clock = () => Date.now() + skew;
const receiver = await startReceiver(clock);
// The receiver answers a late request after the sender gave up on it.
process.env.NOTIFY_TIMEOUT_MS = "300";
const path = await startNotificationPath({ now: clock });
afterAll(async () => {
  await path.stop();
  await receiver.stop();
});
const admin = await withDemoOrg();
const store = new DynamoNotificationStore(createDocumentClient(), tableNames.state);

const ok = async (response: Promise<{ status: number; body: any }>) => {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBeLessThan(300);
  return body;
};

/** Delivers until the queue is empty, letting each backoff pass at once; bounded. */
async function deliverAll() {
  for (let pass = 0; pass < 200 && path.sqs.size > 0; pass++) {
    await path.deliver();
    const next = path.sqs.nextVisibleAt();
    if (next !== undefined) skew = Math.max(skew, next - Date.now());
  }
  expect(path.sqs.size).toBe(0);
}

describe("delivery", () => {
  it("refuses a webhook subscription without a signing secret, and never shows a channel's URL or secret", async () => {
    const refused = await admin.put("/admin/notification-channels/no-secret", {
      kind: "webhook",
      url: `${receiver.base}/hooks/x`,
      kinds: ["award"],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("webhook-secret-required");
    const forbidden = await (await as("liu-yang", "manager")).get("/admin/notification-channels");
    expect(forbidden.status).toBe(403);
  });

  it("delivers every notice to every channel although half the requests fail and some answer too late; repeats keep their webhook-id", async () => {
    await ok(
      admin.put("/admin/notification-channels/hr-system", {
        kind: "webhook",
        url: `${receiver.base}/hooks/hr`,
        secret: webhookSecret,
        kinds: ["award", "badge"],
      }),
    );
    await ok(
      admin.put("/admin/notification-channels/retail-group", {
        kind: "dingtalk-robot",
        url: `${receiver.base}/robot/send?access_token=retail`,
        secret: robotSecret,
        kinds: ["award"],
      }),
    );
    await ok(
      admin.put("/admin/notification-channels/ops-group", {
        kind: "wecom-robot",
        url: `${receiver.base}/cgi-bin/webhook/send?key=ops`,
        kinds: ["award"],
      }),
    );
    const channels = await ok(admin.get("/admin/notification-channels"));
    expect(JSON.stringify(channels)).not.toContain(receiver.base);

    receiver.setFaults({ fail: 0.5, hang: 0.15, seed: 20261201 });
    const people = demoPeople.slice(0, 12);
    for (const person of people) await ok(admin.post("/awards", { personId: person.personId, coins: 60, reason: "季度擂台" }));
    await path.poller.drain();
    await deliverAll();

    const hooks = receiver.received.filter((r) => r.channel === "webhook");
    const ids = new Set(hooks.map((r) => r.id));
    expect(ids.size).toBe(people.length);
    // Each CloudEvent once per notice; a repeated delivery is the same webhook-id and the same event.
    const byId = new Map<string, string>();
    for (const hook of hooks) {
      const seen = byId.get(hook.id as string);
      if (seen) expect(hook.body.id).toBe(seen);
      byId.set(hook.id as string, hook.body.id);
    }
    expect(new Set(hooks.map((r) => r.body.subject))).toEqual(new Set(people.map((p) => p.personId)));
    expect(hooks[0]?.body).toMatchObject({ specversion: "1.0", type: "com.laurel.award", data: { kind: "award", coins: 60 } });

    for (const channel of ["dingtalk-robot", "wecom-robot"] as const) {
      const text = receiver.received
        .filter((r) => r.channel === channel)
        .map((r) => r.body.text.content as string)
        .join("\n");
      for (const person of people) expect(text, channel).toContain(`${person.name} 获得一项奖励`);
      // Names only: no figures about anyone in a group.
      expect(text).not.toContain("60");
    }
    expect(receiver.busiestRobotMinute()).toBeLessThanOrEqual(20);
    expect(receiver.refused).toEqual([]);
    expect(receiver.attempts()).toBeGreaterThan(hooks.length);
  });

  it("turns a delivery that failed for a day into a dead letter, which an admin lists and replays once", async () => {
    const [notice] = noticesOfEntries(
      [
        {
          kind: "award",
          holder: "person:liu-yang",
          from: "system:issuer",
          to: "person:liu-yang",
          asset: "coin",
          amount: 90,
          actor: { kind: "person", personId: "cao-yi" },
          recordedAt: "2026-11-01T00:00:00.000Z",
        } as unknown as LedgerEntry,
      ],
      { awardAtLeast: 50 },
    );
    if (!notice) throw new Error("no notice");
    const failing: Senders = {
      webhook: () => Promise.reject(new Error("connection refused")),
      robot: () => Promise.reject(new Error("unused")),
      workNotice: () => Promise.reject(new Error("unused")),
    };
    const attempt: Attempt = { delivery: deliveryOf(notice, "hr-system"), attempt: 14 };
    const deps = {
      channels: store,
      preferences: store,
      deadLetters: store,
      directory: { person: async () => undefined },
      dingTalkId: async () => undefined,
      open: async () => JSON.stringify({ url: "http://127.0.0.1:9/", secret: webhookSecret }),
      senders: failing,
      rate: store,
      timeZone: "Asia/Shanghai",
    };
    const soon = await deliver({ ...deps, clock: { now: () => new Date("2026-11-01T12:00:00Z") } }, [attempt], () => "{}");
    expect(soon.get(attempt)).toMatchObject({ status: "retry", seconds: 6 * 3600 });
    const late = await deliver({ ...deps, clock: { now: () => new Date("2026-11-02T01:00:00Z") } }, [attempt], () => "{}");
    expect(late.get(attempt)).toMatchObject({ status: "dead-letter", error: "connection refused" });

    const { items } = await ok(admin.get("/admin/notification-dead-letters"));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      attempts: 14,
      lastError: "connection refused",
      delivery: { deliveryId: attempt.delivery.deliveryId },
    });

    receiver.setFaults({ fail: 0, hang: 0, seed: 1 });
    const before = receiver.received.length;
    await ok(admin.post(`/admin/notification-dead-letters/${items[0].letterId}/replay`, {}));
    const again = await admin.post(`/admin/notification-dead-letters/${items[0].letterId}/replay`, {});
    expect(again.status).toBe(404);
    await deliverAll();
    const replayed = receiver.received.slice(before);
    expect(replayed).toEqual([
      expect.objectContaining({
        channel: "webhook",
        id: attempt.delivery.deliveryId,
        body: expect.objectContaining({ id: eventIdOf(notice) }),
      }),
    ]);
    expect((await ok(admin.get("/admin/notification-dead-letters"))).items[0].replayedAt).toBeDefined();
  });

  it("lets a person read their bell and set their preferences, and nobody else's", async () => {
    const liu = await as("liu-yang", "manager");
    const bell = await ok(liu.get("/people/liu-yang/notifications"));
    expect(bell.items.length).toBeGreaterThan(0);
    expect(bell.items[0]).toMatchObject({ kind: "award", zh: { title: "获得奖励" }, en: { title: "Award" } });
    expect((await liu.get("/people/wang-fang/notifications")).status).toBe(403);
    const prefs = await ok(
      liu.put("/people/liu-yang/notification-preferences", {
        language: "en",
        quietHours: { from: "22:00", until: "07:30" },
        optOut: ["penalty"],
      }),
    );
    expect(prefs).toEqual({ language: "en", quietHours: { from: "22:00", until: "07:30" }, optOut: ["penalty"] });
    const bad = await liu.put("/people/liu-yang/notification-preferences", { quietHours: { from: "25:00", until: "07:00" } });
    expect(bad.status).toBe(400);
    expect(await store.preferences("liu-yang" as PersonId)).toEqual(prefs);
  });
});
