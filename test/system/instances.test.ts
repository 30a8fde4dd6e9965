/**
 * Two instances of every function, as Lambda runs them: this process and another one sharing
 * the same tables. What an admin changes through one is in force for the very next request the
 * other serves: rules, gates, rewards, and source secrets (a revoked secret refused at once, a
 * new one accepted at once), and the org tree (a new lead, a moved unit).
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Client } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const course = "com.tianma.learning.course.completed";

let other: ChildProcess;
let otherUrl: string;

beforeAll(async () => {
  other = fork(join(import.meta.dirname, "..", "support", "instance.ts"), {
    env: process.env,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    other.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    other.once("exit", (code) => reject(new Error(`the other instance exited with ${code}`)));
  });
  otherUrl = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  other.kill();
});

/** A request to the other instance, as a client over HTTP. */
async function onOther(method: string, path: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${otherUrl}${path}`, {
    method,
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** An event delivered to the other instance, signed as a source signs it. */
function deliverToOther(sourceId: string, event: unknown, secret: string) {
  const body = JSON.stringify(event);
  const id = `msg_${randomUUID()}`;
  const now = new Date();
  return onOther("POST", `/webhooks/${sourceId}`, {
    body,
    headers: {
      "content-type": "application/cloudevents+json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, now, body),
    },
  });
}

const coinsOf = async (client: Client, personId: string) => (await client.get(`/people/${personId}/balances`)).body.coins;

describe("definitions changed on one instance, used on another", () => {
  it("a new rule awards from the next event the other instance receives", async () => {
    const secret = secrets[learning] as string;
    const warm = await deliverToOther(learning, cloudEvent(course, "wu-min", { courseId: "warm-up", score: 10 }), secret);
    expect(warm.body.results[0]).toMatchObject({ status: "accepted" });
    const before = await coinsOf(admin, "wu-min");

    const saved = await admin.put("/admin/rules/low-score-effort", {
      name: { zh: "坚持学习", en: "Kept learning" },
      eventType: course,
      when: { field: "score", op: "lt", value: 60 },
      trigger: { kind: "each" },
      award: { coins: 3 },
    });
    expect(saved.status).toBe(200);

    const next = await deliverToOther(learning, cloudEvent(course, "wu-min", { courseId: "c-9", score: 20 }), secret);
    expect(next.body.results[0].status).toBe("accepted");
    expect(next.body.results[0].awards).toMatchObject([{ personId: "wu-min", asset: "coin", amount: 3, ruleId: "low-score-effort" }]);
    expect(await coinsOf(admin, "wu-min")).toBe(before + 3);
  });

  it("a revoked secret is refused and its replacement accepted by the other instance at once", async () => {
    const oa = "tianma-oa";
    const old = secrets[oa] as string;
    const approval = () => cloudEvent("com.tianma.oa.approval.completed", "wu-min", { approvalId: randomUUID(), online: true });
    expect((await deliverToOther(oa, approval(), old)).status).toBe(200);

    const rotated = await admin.post(`/admin/sources/${oa}/secrets`, { overlapHours: 0 });
    expect(rotated.status).toBe(201);

    const refused = await deliverToOther(oa, approval(), old);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("unauthenticated");
    const accepted = await deliverToOther(oa, approval(), rotated.body.secret);
    expect(accepted.status).toBe(200);
    expect(accepted.body.results[0].status).toBe("accepted");
  });

  it("a changed gate decides the other instance's next eligibility check", async () => {
    const hr = await as("deng-hua", "hr");
    const check = () => onOther("GET", "/people/yang-xue/eligibility?gate=base-to-middle", { token: hr.token });
    const first = await check();
    expect(first.status).toBe(200);
    const gate = (await admin.get("/admin/gates/base-to-middle")).body;
    const changed = await admin.put("/admin/gates/base-to-middle", {
      ...gate.definition,
      criteria: [{ kind: "points", atLeast: 1 }],
    });
    expect(changed.status).toBe(200);
    const second = await check();
    expect(second.body.gate.version).toBe(changed.body.version);
    expect(second.body.criteria).toHaveLength(1);
  });

  it("a changed price is what the other instance shows next", async () => {
    const manager = await as("yang-xue", "manager");
    const mug = (price: number) => admin.put("/admin/rewards/mug", { name: { zh: "马克杯", en: "Mug" }, price, stock: "unlimited" });
    const listed = async () =>
      (await onOther("GET", "/rewards", { token: manager.token })).body.rewards.find((r: { id: string }) => r.id === "mug");
    expect((await mug(10)).status).toBe(200);
    expect((await listed()).definition.price).toBe(10);
    expect((await mug(12)).status).toBe(200);
    expect((await listed()).definition.price).toBe(12);
  });
});

describe("the org tree changed on one instance, used on another", () => {
  it("a unit's new lead reads its people, and the old lead no longer does, on the other instance's next request", async () => {
    const [oldLead, newLead] = [await as("gao-bo", "manager"), await as("sun-li", "manager")];
    const balances = (client: Client) => onOther("GET", "/people/zheng-hui/balances", { token: client.token });
    expect((await balances(oldLead)).status).toBe(200);
    const unit = { name: "北方仓储组", kind: "team", parentId: "log-warehouse" };
    // sun-li leads log-warehouse, above: moving wh-north out from under it takes her reading away.
    expect((await admin.put("/admin/org-units/wh-north", { ...unit, parentId: "log-transport", leadId: "zheng-hui" })).status).toBe(200);
    expect((await balances(oldLead)).status).toBe(403);
    expect((await balances(newLead)).status).toBe(403);
    expect((await onOther("GET", "/people/liang-yu/balances", { token: (await as("zheng-hui", "manager")).token })).status).toBe(200);
    expect((await admin.put("/admin/org-units/wh-north", { ...unit, leadId: "gao-bo" })).status).toBe(200);
    expect((await balances(oldLead)).status).toBe(200);
    expect((await balances(newLead)).status).toBe(200);
  });
});
