/** Input DynamoDB cannot store is the client's 400, naming the limit: never a 500 (docs/SECURITY.md). */
import { describe, expect, it } from "vitest";
import { storageLimits, storageProblem } from "../../domain/kernel/json.ts";
import { call } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin } = await withDemoDefinitions();

const nested = (levels: number): Record<string, unknown> =>
  levels === 0 ? { type: "string" } : { type: "object", properties: { next: nested(levels - 1) } };

describe("limits of what can be stored", () => {
  it("names the first limit a value breaks and where", () => {
    expect(storageProblem({ a: [1, { b: 2 ** 53 }] })).toEqual({
      code: "number-out-of-range",
      field: { path: "a.1.b", message: expect.stringContaining("9007199254740991") },
    });
    expect(storageProblem({ tiny: 1e-200 })?.code).toBe("number-out-of-range");
    expect(storageProblem(nested(20))?.code).toBe("too-deep");
    expect(storageProblem(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])))?.code).toBe("too-many-keys");
    expect(storageProblem({ "": 1 })?.code).toBe("key-empty");
    expect(storageProblem({ ok: [0, -1.5, 2 ** 53 - 1, "字"], deep: nested(10) })).toBeUndefined();
  });

  it("a source whose data schema nests 20 levels deep is a 400 too-deep", async () => {
    const response = await admin.put("/admin/sources/deep", {
      name: "deep",
      eventTypes: [{ type: "com.deep.event", dataSchema: nested(20) }],
    });
    expect([response.status, response.body.code, response.body.limits.depth]).toEqual([400, "too-deep", storageLimits.depth]);
    expect(response.body.invalidFields[0].path).toMatch(/^eventTypes\.0\.dataSchema\.properties/);
  });

  it("a gate or a rule with a number beyond what DynamoDB stores exactly is a 400 number-out-of-range", async () => {
    const gate = await admin.put("/admin/gates/huge", {
      name: { zh: "门槛", en: "Gate" },
      tier: "base",
      targetGrade: "中层",
      criteria: [{ kind: "points", atLeast: 1e20 }],
    });
    expect([gate.status, gate.body.code, gate.body.invalidFields[0].path]).toEqual([400, "number-out-of-range", "criteria.0.atLeast"]);
    const rule = await admin.put("/admin/rules/tiny", {
      name: { zh: "规则", en: "Rule" },
      eventType: "com.tiny.event",
      when: { field: "score", op: "gt", value: 1e-200 },
      trigger: { kind: "each" },
      award: { coins: 1 },
    });
    expect([rule.status, rule.body.code]).toEqual([400, "number-out-of-range"]);
  });

  it("an event in a batch whose data cannot be stored is refused alone; the others are accepted", async () => {
    const type = "com.open.measure";
    const { secret } = (await admin.put("/admin/sources/open", { name: "open", eventTypes: [{ type }] })).body;
    const response = await deliver(
      "open",
      [cloudEvent(type, "yang-xue", { courseId: "c1", score: 1e300 }), cloudEvent(type, "yang-xue", { courseId: "c2", score: 90 })],
      { secret },
    );
    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { status: string; problem?: { code: string } }) => r.problem?.code ?? r.status)).toEqual([
      "number-out-of-range",
      "accepted",
    ]);
  });

  it("a body nested 5,000 levels deep is a 400 too-deep, and so is such an event in a webhook", async () => {
    const deep = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`;
    const put = await call("PUT", "/admin/sources/deep", { token: admin.token, body: `{"name":"deep","eventTypes":[${deep}]}` });
    expect([put.status, put.body.code]).toEqual([400, "too-deep"]);
    const type = "com.open.deep";
    const { secret } = (await admin.put("/admin/sources/open-deep", { name: "open deep", eventTypes: [{ type }] })).body;
    const event = JSON.stringify(cloudEvent(type, "yang-xue", { score: 1, nested: "here" })).replace('"here"', deep);
    const delivered = await deliver("open-deep", event, { secret, contentType: "application/cloudevents+json" });
    expect([delivered.status, delivered.body.results[0].status, delivered.body.results[0].problem.code]).toEqual([
      200,
      "rejected",
      "too-deep",
    ]);
  });

  it("text with a lone surrogate is a 400 lone-surrogate: UTF-8 cannot store it, so its entry's hash would break", async () => {
    const award = await admin.post("/awards", { personId: "yang-xue", coins: 1, reason: "half a pair \ud83d" });
    expect([award.status, award.body.code, award.body.invalidFields[0].path]).toEqual([400, "lone-surrogate", "reason"]);
    expect((await admin.get("/people/yang-xue/balances")).body.coins ?? 0).toBe(0);
  });
});
