/**
 * A rule's backtests listed (`GET /admin/rules/{ruleId}/backtests`): the jobs started for it,
 * newest first, a page at a time, each with its status, percent done, period, who started it and
 * when it finished or was cancelled; only admins may list them.
 */
import { describe, expect, it } from "vitest";
import { demoRules } from "../../scripts/demo-data.ts";
import { as } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { followed } from "./jobs.ts";

const { admin } = await withDemoDefinitions();
const manager = await as("liu-yang", "manager");
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const list = "/admin/rules/course-passed/backtests";

type Listed = { backtestId: string; status: string; percent: number; from: string; to: string; by: string; finishedAt?: string };

/** A job over `days` days (more than 31: a job), followed until it is no longer running. */
async function job(days: number): Promise<Listed & { updatedAt: string }> {
  const started = await admin.post(list, { draft: demoRules["course-passed"], from: daysAgo(days), to: daysAgo(0) });
  expect(started.status).toBe(202);
  return followed(admin, started, 100);
}

describe("a rule's backtests listed", () => {
  it("lists the rule's jobs newest first with their period, who started them and when they finished, a page at a time", async () => {
    const jobs = [await job(40), await job(50), await job(60)];
    const page = await admin.get(`${list}?limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.backtests.map((b: Listed) => b.backtestId)).toEqual([jobs[2]?.backtestId, jobs[1]?.backtestId]);
    expect(page.body.backtests[0]).toMatchObject({
      ruleId: "course-passed",
      status: "done",
      percent: 100,
      from: jobs[2]?.from,
      to: jobs[2]?.to,
      by: "cao-yi",
      finishedAt: jobs[2]?.updatedAt,
    });
    expect(page.body.backtests[0].report).toBeUndefined();
    const next = await admin.get(`${list}?limit=2&cursor=${encodeURIComponent(page.body.cursor)}`);
    expect(next.body.backtests.map((b: Listed) => b.backtestId)).toEqual([jobs[0]?.backtestId]);
    expect(next.body.cursor).toBeNull();
    // Another rule's list holds none of them.
    expect((await admin.get("/admin/rules/first-course/backtests")).body).toEqual({ backtests: [], cursor: null });
  });

  it("is for admins only, and refuses a cursor it did not give out", async () => {
    const refused = await manager.get(list);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("forbidden");
    const made = await admin.get(
      `${list}?cursor=${Buffer.from(JSON.stringify({ gsi1pk: "BACKTESTS#first-course" })).toString("base64url")}`,
    );
    expect(made.status).toBe(400);
    expect(made.body.code).toBe("invalid-cursor");
  });
});
