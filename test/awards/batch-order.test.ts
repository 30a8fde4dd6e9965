/**
 * A batch is settled in the order its events come in, one person's events one after another. A
 * retraction without a subject is about its target's person: it takes its place in that person's
 * sequence, so an event after it sees the progress as after the undo (a course retracted and sent
 * again earns the first course and the day's points again), and one before it never sees it. A
 * backtest replays the same order, a correction sent again with the original's time included:
 * with the draft equal to the current rule it changes nothing.
 */
import { describe, expect, it } from "vitest";
import { demoPeople } from "../../scripts/demo-data.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver, projectorPoller } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const secret = secrets[learning] as string;
const course = "com.tianma.learning.course.completed";
const retracted = "laurel.event.retracted";
const poller = await projectorPoller();

// Events a second apart, in the order they come in: the order they happened is the order they arrive.
const base = Date.now() - 120_000;
let tick = 0;
const next = () => new Date(base + 1_000 * tick++).toISOString();
const people = new Set<string>();
const pass = (personId: string, courseId: string) => {
  people.add(personId);
  return cloudEvent(course, personId, { courseId, score: 90 }, { time: next() });
};
/** The same course sent again under a new id, after its retraction. */
const resent = (event: ReturnType<typeof pass>) => cloudEvent(course, event.subject, { ...event.data }, { time: next() });
const retraction = (event: { id: string }) => cloudEvent(retracted, undefined, { eventId: event.id, reason: "成绩更正" }, { time: next() });

const balancesOf = async (personId: string) => {
  const body = (await admin.get(`/people/${personId}/balances`)).body;
  return { coins: body.coins, points: body.points.byCapability["tool-operation"] ?? 0 };
};
const statuses = (response: { body: { results: { status: string; problem?: { code: string } }[] } }) =>
  response.body.results.map((r) => r.problem?.code ?? r.status);

type Event = ReturnType<typeof cloudEvent>;
/** Each person's events in their order, interleaved person by person into one batch. */
const interleaved = (sequences: Event[][]): Event[] =>
  Array.from({ length: Math.max(...sequences.map((s) => s.length)) }, (_, i) => sequences.flatMap((s) => s[i] ?? [])).flat();
const order = (batch: Event[], sequence: Event[]) => sequence.map((e) => batch.indexOf(e));

describe("a batch settled in the order it came", () => {
  it("a first course retracted without a subject and sent again in one batch earns the first course again; retracted after the resend, it does not; retracted before it came, the retraction is refused", async () => {
    // first-course: 10 coins once; course-passed: 20 coins and 10 points each (the day's cap is 30 points).
    const a = pass("xu-jing", "ord-1");
    const undoThenResend = [a, retraction(a), resent(a)];
    const b = pass("ma-chao", "ord-1");
    const resendThenUndo = [b, resent(b), retraction(b)];
    const c = pass("wu-min", "ord-1");
    const undoFirst = [retraction(c), c, resent(c)];
    const batch = interleaved([undoThenResend, resendThenUndo, undoFirst]);

    const response = await deliver(learning, batch, { secret });

    expect(response.status).toBe(200);
    const answers = statuses(response);
    expect(order(batch, undoThenResend).map((i) => answers[i])).toEqual(["accepted", "accepted", "accepted"]);
    expect(order(batch, resendThenUndo).map((i) => answers[i])).toEqual(["accepted", "accepted", "accepted"]);
    expect(order(batch, undoFirst).map((i) => answers[i])).toEqual(["event-unknown", "accepted", "accepted"]);
    expect(await balancesOf("xu-jing")).toEqual({ coins: 30, points: 10 });
    expect(await balancesOf("ma-chao")).toEqual({ coins: 20, points: 10 });
    expect(await balancesOf("wu-min")).toEqual({ coins: 50, points: 20 });
  });

  it("a retraction without a subject of an event sent in an earlier request takes its place among its person's events of the batch", async () => {
    const a = pass("sun-li", "ord-2");
    const b = pass("huang-tao", "ord-2");
    expect(statuses(await deliver(learning, [a, b], { secret }))).toEqual(["accepted", "accepted"]);

    const response = await deliver(learning, [retraction(a), resent(a), resent(b), retraction(b)], { secret });

    expect(statuses(response)).toEqual(["accepted", "accepted", "accepted", "accepted"]);
    expect(await balancesOf("sun-li")).toEqual({ coins: 30, points: 10 });
    expect(await balancesOf("huang-tao")).toEqual({ coins: 20, points: 10 });
  });

  it("a pass retracted without a subject and sent again on a capped day gets the day's points back; retracted after the resend, the resend stays capped", async () => {
    const day = (personId: string) => [pass(personId, "cap-1"), pass(personId, "cap-2"), pass(personId, "cap-3")];
    const [p1, p2, a] = day("lin-feng") as [Event, Event, Event];
    const undoThenResend = [p1, p2, a, retraction(a), resent(a)];
    const [q1, q2, b] = day("feng-lan") as [Event, Event, Event];
    const resendThenUndo = [q1, q2, b, resent(b), retraction(b)];
    const [r1, r2, c] = day("zhao-lei") as [Event, Event, Event];
    const undoFirst = [retraction(c), r1, r2, c, resent(c)];
    const batch = interleaved([undoThenResend, resendThenUndo, undoFirst]);

    const response = await deliver(learning, batch, { secret });

    const answers = statuses(response);
    expect(answers.filter((_, i) => i !== batch.indexOf(undoFirst[0] as Event))).toEqual(Array(batch.length - 1).fill("accepted"));
    expect(answers[batch.indexOf(undoFirst[0] as Event)]).toBe("event-unknown");
    // Three passes reach the day's 30 points; the resend after the undo takes the freed 10.
    expect(await balancesOf("lin-feng")).toEqual({ coins: 70, points: 30 });
    // The resend before the undo was capped (coins only); the undo then takes back 10 points.
    expect(await balancesOf("feng-lan")).toEqual({ coins: 70, points: 20 });
    // Refused before its target came: the resend on a full day earns coins only.
    expect(await balancesOf("zhao-lei")).toEqual({ coins: 90, points: 30 });
  });

  it("a correction sent again with the original's time is settled where it came, after its retraction or before it", async () => {
    const again = (event: Event) => cloudEvent(course, event.subject, { ...event.data }, { time: event.time });
    const a = pass("hu-yan", "ord-3");
    const undoThenResend = [a, retraction(a), again(a)];
    const b = pass("he-ying", "ord-3");
    const resendThenUndo = [b, again(b), retraction(b)];
    const [p1, p2, c] = [pass("luo-xin", "cap-1"), pass("luo-xin", "cap-2"), pass("luo-xin", "cap-3")];
    const cappedUndoThenResend = [p1, p2, c, retraction(c), again(c)];
    const batch = interleaved([undoThenResend, resendThenUndo, cappedUndoThenResend]);

    const response = await deliver(learning, batch, { secret });

    expect(statuses(response)).toEqual(Array(batch.length).fill("accepted"));
    expect(await balancesOf("hu-yan")).toEqual({ coins: 30, points: 10 });
    expect(await balancesOf("he-ying")).toEqual({ coins: 20, points: 10 });
    expect(await balancesOf("luo-xin")).toEqual({ coins: 70, points: 30 });
  });

  it("a backtest of the first-time rule and of the capped rule, each with the draft equal to the current rule, reports no change for these batches", async () => {
    await poller.drain();
    const held = new Map<string, number>();
    for (const personId of people) {
      const { coins, points } = await balancesOf(personId);
      const unit = demoPeople.find((p) => p.personId === personId)?.orgUnitId;
      held.set(`${unit}/coin`, (held.get(`${unit}/coin`) ?? 0) + coins);
      held.set(`${unit}/point:tool-operation`, (held.get(`${unit}/point:tool-operation`) ?? 0) + points);
    }
    for (const ruleId of ["first-course", "course-passed"]) {
      const draft = (await admin.get(`/admin/rules/${ruleId}`)).body.definition;
      const response = await admin.post(`/admin/rules/${ruleId}/backtests`, {
        draft,
        from: new Date(base - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(response.status).toBe(200);
      const { rows, liabilityChange, eventsReplayed } = response.body;
      expect(eventsReplayed).toBeGreaterThanOrEqual(35);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r: { change: number }) => r.change !== 0)).toEqual([]);
      expect(liabilityChange).toBe(0);
      // What the replay would award, per org unit, is what these people hold.
      const wouldBe = new Map(
        rows.map((r: { orgUnitId: string; asset: string; wouldBe: number }) => [`${r.orgUnitId}/${r.asset}`, r.wouldBe]),
      );
      expect(wouldBe).toEqual(held);
    }
  });
});
