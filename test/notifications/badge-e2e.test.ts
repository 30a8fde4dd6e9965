/**
 * End to end: a business system's signed event earns a badge; the notice reaches the person as a
 * DingTalk work notification and a business system as a signed CloudEvent, each exactly once,
 * although the receivers refuse the first tries.
 */
import { afterAll, expect, it } from "vitest";
import { as } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";
import { startNotificationPath } from "./local.ts";
import { dingTalkApp, startReceiver, webhookSecret } from "./receiver.ts";

let skew = 0;
const clock = () => Date.now() + skew;
const receiver = await startReceiver(clock);
Object.assign(process.env, {
  NOTIFY_TIMEOUT_MS: "300",
  DINGTALK_AGENT_ID: "4242",
  DINGTALK_API_BASE: receiver.base,
  DINGTALK_APP: JSON.stringify(dingTalkApp),
});
const path = await startNotificationPath({ now: clock });
afterAll(async () => {
  await path.stop();
  await receiver.stop();
});
const { admin, secrets } = await withDemoDefinitions();

const ok = async (response: Promise<{ status: number; body: any }>) => {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBeLessThan(300);
  return body;
};

it("a signed event earns a badge: a DingTalk work notification and a signed webhook arrive once each, after retries", async () => {
  const liu = await ok(admin.get("/admin/people/liu-yang"));
  await ok(admin.put("/admin/people/liu-yang", { ...liu, identities: { dingtalk: "ding-liuyang" } }));
  // Awards are not news to Liu Yang's DingTalk; badges are.
  await ok((await as("liu-yang", "manager")).put("/people/liu-yang/notification-preferences", { optOut: ["award"] }));
  await ok(
    admin.put("/admin/notification-channels/hr-badges", {
      kind: "webhook",
      url: `${receiver.base}/hooks/hr`,
      secret: webhookSecret,
      kinds: ["badge"],
    }),
  );
  receiver.setFaults({ fail: 0, hang: 0, seed: 1, failFirst: 3 });

  const event = cloudEvent("com.tianma.learning.certification.passed", "liu-yang", { level: 1 });
  const answer = await deliver("tianma-learning", event, { secret: secrets["tianma-learning"] as string });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  await path.poller.drain();
  for (let pass = 0; pass < 50 && path.sqs.size > 0; pass++) {
    await path.deliver();
    const next = path.sqs.nextVisibleAt();
    if (next !== undefined) skew = Math.max(skew, next - Date.now());
  }

  const notices = receiver.received.filter((r) => r.channel === "work-notice");
  expect(notices).toEqual([
    expect.objectContaining({
      body: {
        agent_id: 4242,
        userid_list: "ding-liuyang",
        msg: {
          msgtype: "markdown",
          markdown: { title: "新勋章", text: "### 新勋章\n\n恭喜！你获得了勋章「数字化认证 · 数字化管理专员」。" },
        },
      },
    }),
  ]);
  const hooks = receiver.received.filter((r) => r.channel === "webhook");
  expect(hooks).toHaveLength(1);
  expect(hooks[0]?.body).toMatchObject({
    type: "com.laurel.badge",
    subject: "liu-yang",
    data: { personId: "liu-yang", kind: "badge", badgeId: "certification", level: 1 },
  });
  expect(receiver.attempts()).toBeGreaterThan(2);
  expect(receiver.refused).toEqual([]);

  const bell = await ok((await as("liu-yang", "manager")).get("/people/liu-yang/notifications"));
  expect(bell.items.map((item: { kind: string }) => item.kind)).toEqual(expect.arrayContaining(["badge", "award"]));
});
