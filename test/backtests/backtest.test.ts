/**
 * Backtests over kept history: events delivered over past days (passes and fails, first courses,
 * a team bounty, a retraction), kept in the event log by the projector, then replayed with a
 * draft of a rule. The draft equal to the current rule reproduces exactly what the rules awarded,
 * per org unit and capability; a changed amount differs by exactly the change times the awards.
 */
import { describe, expect, it } from "vitest";
import { BacktestReport } from "../../functions/http/answers/rules.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as, call } from "../support/api.ts";
import { storedChain } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver, projectorPoller } from "../support/webhooks.ts";
import { followed, ruleFigures } from "./jobs.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const oa = "tianma-oa";
const course = "com.tianma.learning.course.completed";
const bounty = "com.tianma.oa.bounty.closed";
const manager = await as("liu-yang", "manager");
const poller = await projectorPoller();

const daysAgo = (days: number, hour = 2) => new Date(Date.now() - days * 86_400_000 - hour * 3_600_000).toISOString();
const start = daysAgo(20);
const end = new Date(Date.now() + 60_000).toISOString();
const learners = ["liu-yang", "yang-xue", "xu-jing", "ma-chao", "wu-min", "sun-li"];
const unitOf = new Map(demoPeople.map((p) => [p.personId as string, p.orgUnitId as string]));

/** Three weeks of history: each learner passes or fails a course every few days; a team closes a bounty; one pass is retracted. Passes counted per unit. */
async function history(): Promise<Map<string, number>> {
  const passes = new Map<string, number>();
  for (const [i, personId] of learners.entries()) {
    const scores = [15, 11, 8, 4, 1].map((_, j) => ((i + j) % 3 === 0 ? 70 : 90));
    const events = [15, 11, 8, 4, 1].map((age, j) =>
      cloudEvent(course, personId, { courseId: `bt-${i}-${j}`, score: scores[j] }, { time: daysAgo(age, i) }),
    );
    const answers = (await deliver(learning, events, { secret: secrets[learning] as string })).body.results;
    expect(answers.map((a: { status: string }) => a.status)).toEqual(Array(5).fill("accepted"));
    // The third learner's third course, a pass, is retracted: it counts on neither side.
    const counted = scores.filter((score, j) => score >= 80 && !(i === 2 && j === 2)).length;
    const unit = unitOf.get(personId) as string;
    passes.set(unit, (passes.get(unit) ?? 0) + counted);
    if (i === 2)
      expect((await admin.post(`/admin/sources/${learning}/events/${events[2]?.id}/retraction`, { reason: "重复" })).status).toBe(200);
  }
  const team = cloudEvent(bounty, undefined, { team: "store-east" }, { source: "https://oa.tianma.example", time: daysAgo(6) });
  expect((await deliver(oa, team, { secret: secrets[oa] as string })).body.results[0].status).toBe("accepted");
  await poller.drain();
  return passes;
}

const currentRule = async (ruleId: string) => (await admin.get(`/admin/rules/${ruleId}`)).body.definition;
const run = (ruleId: string, draft: unknown, token = admin.token, accept = "application/json") =>
  dispatch({
    method: "POST",
    url: `/admin/rules/${ruleId}/backtests`,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept },
    body: JSON.stringify({ draft, from: start, to: end }),
  });

describe("backtests", () => {
  let passes = new Map<string, number>();

  it("the draft equal to the current rule reproduces what the rules awarded, per org unit and capability, exactly", async () => {
    passes = await history();
    const response = await run("course-passed", await currentRule("course-passed"));
    expect(response.statusCode).toBe(200);
    const report = JSON.parse(response.body as string);
    expect(report.eventsCounted).toBeGreaterThanOrEqual(learners.length * 5);
    expect(report.rows.every((r: { change: number }) => r.change === 0)).toBe(true);
    expect(report.liabilityChange).toBe(0);
    // The learners' tool-operation points reach the digital learner's bronze on both sides alike.
    expect(report.badges.length).toBeGreaterThan(0);
    expect(report.badges.every((b: { change: number }) => b.change === 0)).toBe(true);
    // Nobody's points or levels change: no gate is met or missed anew.
    expect(report.gates).toEqual([]);
    expect(BacktestReport.safeParse(report).error).toBeUndefined();
    const actual = new Map(
      report.rows.map((r: { orgUnitId: string; asset: string; actual: number }) => [`${r.orgUnitId}/${r.asset}`, r.actual]),
    );
    expect(actual).toEqual(await ruleFigures(demoPeople.map((p) => p.personId)));
  });

  it("a changed amount differs by exactly the change for every pass, and the coins outstanding with it", async () => {
    const draft = { ...(await currentRule("course-passed")), award: { coins: 25, points: { capability: "tool-operation", amount: 10 } } };
    const report = JSON.parse((await run("course-passed", draft)).body as string);
    const coinChanges = new Map(
      report.rows
        .filter((r: { asset: string }) => r.asset === "coin")
        .map((r: { orgUnitId: string; change: number }) => [r.orgUnitId, r.change]),
    );
    expect(coinChanges).toEqual(new Map([...passes].map(([unit, n]) => [unit, 5 * n])));
    expect(report.liabilityChange).toBe(5 * [...passes.values()].reduce((a, b) => a + b, 0));
    expect(report.rows.filter((r: { asset: string; change: number }) => r.asset !== "coin" && r.change !== 0)).toEqual([]);
  });

  it("answers as CSV, with the badge levels beside the coins and points, writes nothing to the ledger, and only admins may run one", async () => {
    const before = (await Promise.all(learners.map(storedChain))).map((c) => c.entries.length);
    const draft = { ...(await currentRule("course-passed")), award: { coins: 25, points: { capability: "tool-operation", amount: 40 } } };
    const csv = await run("course-passed", draft, admin.token, "text/csv");
    expect(csv.headers?.["content-type"]).toBe("text/csv; charset=utf-8");
    const lines = String(csv.body)
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("orgUnitId,asset,actual,wouldBe,change,newlyMeeting,newlyMissing");
    const report = JSON.parse((await run("course-passed", draft)).body as string);
    expect(lines.slice(1)).toEqual([
      ...report.rows.map((r: { orgUnitId: string; asset: string; actual: number; wouldBe: number; change: number }) =>
        [r.orgUnitId, r.asset, r.actual, r.wouldBe, r.change, "", ""].join(","),
      ),
      ...report.badges.map((b: { orgUnitId: string; badgeId: string; level: number; actual: number; wouldBe: number; change: number }) =>
        [b.orgUnitId, `badge:${b.badgeId}:${b.level}`, b.actual, b.wouldBe, b.change, "", ""].join(","),
      ),
    ]);
    expect(lines.some((line) => line.includes(",badge:"))).toBe(true);
    expect((await Promise.all(learners.map(storedChain))).map((c) => c.entries.length)).toEqual(before);
    expect((await run("course-passed", await currentRule("course-passed"), manager.token)).statusCode).toBe(403);
  });

  it("a replay longer than 31 days runs as a job: 202, then its progress and its report, the same as at once", async () => {
    const current = await currentRule("course-passed");
    const started = await admin.post("/admin/rules/course-passed/backtests", {
      draft: current,
      from: start,
      to: end,
      replayFrom: daysAgo(60),
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ ruleId: "course-passed", status: "running", percent: 0, by: "cao-yi" });
    const url = `/admin/rules/course-passed/backtests/${started.body.backtestId}`;
    const job = await followed(admin, started, 100);
    expect(job).toMatchObject({ status: "done", percent: 100 });
    const atOnce = JSON.parse((await run("course-passed", current)).body as string);
    expect(job.report.rows).toEqual(atOnce.rows);
    const csv = await dispatch({ method: "GET", url, headers: { authorization: `Bearer ${admin.token}`, accept: "text/csv" } });
    expect(
      String(csv.body)
        .replace(/^\uFEFF/, "")
        .split("\r\n")[0],
    ).toBe("orgUnitId,asset,actual,wouldBe,change,newlyMeeting,newlyMissing");
    // Finished: a cancellation changes nothing; managers see no job; an unknown one is 404.
    expect((await call("DELETE", url, { token: admin.token })).body.status).toBe("done");
    expect((await manager.get(url)).status).toBe(403);
    expect((await admin.get(`/admin/rules/course-passed/backtests/${crypto.randomUUID()}`)).body.code).toBe("backtest-not-found");
  });
});
