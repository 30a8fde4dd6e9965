/**
 * The log lines operators read (Powertools Logger): one JSON object a line per request with the
 * Lambda request id, cold start, the correlation id, the area and the caller's id, and never a
 * name, a token, a secret or free text, over a run that sends all of them.
 */
import { afterAll, describe, expect, it } from "vitest";
import { demoPeople } from "../../scripts/demo-data.ts";
import { as, call } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

// Each function reads its level once, at its cold start: the first request of this file.
process.env.LOG_LEVEL = "INFO";
const lines: string[] = [];
const streams = [process.stdout, process.stderr] as const;
const writes = streams.map((stream) => stream.write);
for (const stream of streams) {
  stream.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof stream.write;
}
afterAll(() => {
  streams.forEach((stream, n) => {
    stream.write = writes[n] as typeof stream.write;
  });
});

const { admin, secrets } = await withDemoDefinitions();
const course = "com.tianma.learning.course.completed";

describe("logs", () => {
  it("carry the request id, cold start, correlation id and ids, never names, tokens, secrets or free text", async () => {
    lines.length = 0;
    const name = "欧阳秘密";
    const reason = "日志里不应出现的评语";
    const manager = await as("liu-yang", "manager");
    const correlationId = "trace-me-0123456789";
    const answers = [
      await admin.put("/admin/people/ou-yang", { name, tier: "base", tierSince: "2026-01-01", orgUnitId: "store-south" }),
      await call("GET", "/people/liu-yang/balances", { token: manager.token, headers: { "x-correlation-id": correlationId } }),
      await admin.post("/awards", { personId: "ou-yang", coins: 2, reason }),
      await admin.post("/deductions", { personId: "ou-yang", coins: 999_999, reason }),
      await admin.post("/admin/sources/tianma-oa/secrets", { overlapHours: 1 }),
    ];
    const secret = secrets["tianma-learning"] as string;
    const event = cloudEvent(course, "ou-yang", { courseId: "log", score: 90 });
    answers.push(await deliver("tianma-learning", event, { secret }));
    answers.push(await deliver("tianma-learning", event, { secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 201, 409, 201, 200, 401]);
    expect(answers[1]?.body.name).toBe("刘洋");
    const rotated = answers[4]?.body.secret as string;

    const text = lines.join("\n");
    for (const hidden of [admin.token, manager.token, rotated, secret, secrets["tianma-oa"] as string, "whsec_AAAA"]) {
      expect(text).not.toContain(hidden);
      expect(text).not.toContain(hidden.slice(-24));
    }
    for (const person of [...demoPeople, { name }]) expect(text).not.toContain(person.name);
    expect(text).not.toContain(reason);

    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((r) => [r.level, r.message, r.status])).toEqual(answers.map((a) => ["INFO", "request", a.status]));
    for (const record of records) {
      expect(record).toMatchObject({ service: "laurel", function_request_id: expect.any(String), cold_start: expect.any(Boolean) });
      expect(record.correlation_id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    }
    expect(records[1]).toMatchObject({
      area: "ledger",
      callerId: "liu-yang",
      correlation_id: correlationId,
      route: "GET /people/{personId}/balances",
    });
    expect(records.map((r) => r.area)).toEqual(["admin", "ledger", "ledger", "ledger", "admin", "webhooks", "webhooks"]);
    // A function's first request after its cold start says so, and only that one (admin started earlier).
    expect(records.map((r) => r.cold_start)).toEqual([false, true, false, false, false, true, false]);
  });
});
