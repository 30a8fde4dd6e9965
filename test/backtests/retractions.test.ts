/**
 * Backtests over a history full of retractions: a source corrects about a third of its course
 * results (retracts them, and sends half of them again under a new id), first courses and passes
 * over the day's points cap among them. The replay keeps what undoing an event takes only for the
 * events a retraction names; the draft equal to the current rule still reproduces exactly what the
 * rules awarded, per org unit and capability, at once and as a job.
 */
import { describe, expect, it } from "vitest";
import { demoPeople } from "../../scripts/demo-data.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver, projectorPoller } from "../support/webhooks.ts";
import { followed, ruleFigures } from "./jobs.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const course = "com.tianma.learning.course.completed";
const retracted = "laurel.event.retracted";
const poller = await projectorPoller();

const now = Date.now();
const at = (days: number, minutes: number) => new Date(now - days * 86_400_000 + minutes * 60_000).toISOString();
const learners = ["liu-yang", "yang-xue", "xu-jing", "ma-chao", "wu-min", "sun-li"];
const unitOf = new Map(demoPeople.map((p) => [p.personId as string, p.orgUnitId as string]));

/**
 * Each learner: four results on each of four days (passes beyond the third of a day reach the
 * points cap); every third result is retracted half an hour after it happened, and every other
 * one of those sent again an hour after it happened, under a new id. Delivered in the order they
 * happened; returns the passes that stand (resent ones included) per org unit, and how many
 * retractions were sent.
 */
async function history(): Promise<{ passes: Map<string, number>; retractions: number; events: number }> {
  const passes = new Map<string, number>();
  let retractions = 0;
  let events = 0;
  for (const [i, personId] of learners.entries()) {
    const sent: { event: ReturnType<typeof cloudEvent>; pass: boolean; time: string }[] = [];
    const timeline: { time: string; event: ReturnType<typeof cloudEvent>; standing?: boolean }[] = [];
    let n = 0;
    for (const day of [14, 10, 6, 2])
      for (let j = 0; j < 4; j++, n++) {
        const pass = (i + n) % 4 !== 0;
        const time = at(day, 60 * j);
        const event = cloudEvent(course, personId, { courseId: `rt-${i}-${n}`, score: pass ? 90 : 60 }, { time });
        sent.push({ event, pass, time });
        timeline.push({ time, event });
        if ((i + n) % 3 !== 0) continue;
        // The source corrects it: retracted half an hour later, and every other one sent again. The
        // retraction names its person, so that the webhook settles it in the batch's order (one
        // without a subject is settled after the batch's other events, out of the order they happened).
        timeline.push({
          time: at(day, 60 * j + 30),
          event: cloudEvent(retracted, personId, { eventId: event.id }, { time: at(day, 60 * j + 30) }),
        });
        retractions += 1;
        if (n % 2 === 0) {
          const again = cloudEvent(course, personId, { ...event.data }, { time: at(day, 60 * j + 45) });
          timeline.push({ time: again.time, event: again, standing: pass });
        }
        sent.pop();
      }
    timeline.sort((a, b) => a.time.localeCompare(b.time));
    const answers = (
      await deliver(
        learning,
        timeline.map((t) => t.event),
        { secret: secrets[learning] as string },
      )
    ).body.results;
    expect(answers.map((a: { status: string }) => a.status)).toEqual(Array(timeline.length).fill("accepted"));
    events += timeline.length;
    const unit = unitOf.get(personId) as string;
    const standing = sent.filter((s) => s.pass).length + timeline.filter((t) => t.standing).length;
    passes.set(unit, (passes.get(unit) ?? 0) + standing);
  }
  await poller.drain();
  return { passes, retractions, events };
}

type Row = { orgUnitId: string; asset: string; actual: number; wouldBe: number; change: number };
const from = at(30, 0);
const to = new Date(now + 60_000).toISOString();
const currentRule = async () => (await admin.get("/admin/rules/course-passed")).body.definition;

describe("backtests over many retractions", () => {
  let past: Awaited<ReturnType<typeof history>>;

  it("the draft equal to the current rule reproduces what the rules awarded, retracted and resent results included, exactly", async () => {
    past = await history();
    expect(past.retractions).toBeGreaterThanOrEqual(30);
    const response = await admin.post("/admin/rules/course-passed/backtests", { draft: await currentRule(), from, to });
    expect(response.status).toBe(200);
    const report = response.body;
    expect(report.eventsReplayed).toBe(past.events);
    expect(report.rows.every((r: Row) => r.change === 0)).toBe(true);
    expect(report.liabilityChange).toBe(0);
    expect(report.badges.every((b: { change: number }) => b.change === 0)).toBe(true);
    expect(new Map(report.rows.map((r: Row) => [`${r.orgUnitId}/${r.asset}`, r.actual]))).toEqual(await ruleFigures(learners));
  });

  it("a changed amount differs by exactly the change for every pass that stands, and a job over the same history answers the same", async () => {
    const draft = { ...(await currentRule()), award: { coins: 25, points: { capability: "tool-operation", amount: 10 } } };
    const report = (await admin.post("/admin/rules/course-passed/backtests", { draft, from, to })).body;
    const coins = new Map(report.rows.filter((r: Row) => r.asset === "coin").map((r: Row) => [r.orgUnitId, r.change]));
    expect(coins).toEqual(new Map([...past.passes].map(([unit, n]) => [unit, 5 * n])));
    expect(report.rows.filter((r: Row) => r.asset !== "coin" && r.change !== 0)).toEqual([]);

    const started = await admin.post("/admin/rules/course-passed/backtests", { draft, from, to, replayFrom: at(60, 0) });
    expect(started.status).toBe(202);
    const job = await followed(admin, started);
    expect(job).toMatchObject({ status: "done", percent: 100, eventsReplayed: past.events });
    expect(job.report.rows).toEqual(report.rows);
  });
});
