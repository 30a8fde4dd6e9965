import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AchievementEvent,
  type Condition,
  compileRules,
  evaluateEvent,
  type Grant,
  type Rule,
  RuleDefinition,
  splitEqually,
  undoEffects,
} from "../../domain/awards/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { periodKey } from "../../domain/kernel/periods.ts";
import { type Cause, emptyRuleState, explainCause, type RuleEffect, type RuleState } from "../../domain/ledger/index.ts";

const courseCompleted = "com.tianma.learning.course.completed";
const sandboxPassed = "com.tianma.sandbox.team.passed";
const person = (id: string) => id as PersonId;
const yang = person("yang-xue");

/** The cause of a grant by a rule that fires on each event. */
const causeOf = (ruleId: string, name = { zh: "完成课程", en: "Course completed" }) => ({
  code: "rule",
  params: { ruleId, rule: name, trigger: { kind: "each" } },
});

function rule(ruleId: string, definition: Partial<RuleDefinition>): Rule {
  const parsed = RuleDefinition.parse({
    name: { zh: "完成课程", en: "Course completed" },
    eventType: courseCompleted,
    trigger: { kind: "each" },
    award: { coins: 10 },
    ...definition,
  });
  return { ...parsed, ruleId, version: 1 };
}

let eventNo = 0;
/** A `null` subject is a team event's: it names no person. */
function event(
  time: string,
  data: Record<string, unknown> = {},
  subject: PersonId | null = yang,
  type = courseCompleted,
): AchievementEvent {
  eventNo += 1;
  return { sourceId: "lms", eventId: `e-${eventNo}`, type, time, data, ...(subject ? { subject } : {}) };
}

type States = Map<PersonId, RuleState>;

/** Evaluates events one after the other, as the webhook does, keeping what each one produced. */
function run(rules: readonly Rule[], events: readonly AchievementEvent[], members: readonly PersonId[] = [], start: States = new Map()) {
  const compiled = compileRules(rules);
  let states = start;
  const steps = events.map((e) => {
    const result = evaluateEvent({ rules: compiled, event: e, states, members });
    states = result.states;
    return result;
  });
  return { states, steps, grants: steps.map((s) => s.grants), notes: steps.flatMap((s) => s.notes) };
}

const coinsOf = (grants: readonly Grant[][]) => grants.map((gs) => gs.reduce((sum, g) => sum + (g.coins ?? 0), 0));

function problems(input: unknown): string[] {
  const result = RuleDefinition.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("rule definitions", () => {
  const valid = {
    name: { zh: "课程高分", en: "Course passed with distinction" },
    eventType: courseCompleted,
    when: { all: [{ field: "score", op: "gte", value: 90 }, { any: [{ field: "course.level", op: "in", values: ["advanced", 3] }] }] },
    trigger: { kind: "count", every: 5 },
    award: { coins: 50, points: { capability: "tool-operation", amount: 10 } },
    cap: { period: "week", coins: 200 },
  };

  it("a complete rule with conditions, a count trigger and a cap is accepted", () => {
    expect(problems(valid)).toEqual([]);
  });

  it("a rule that awards nothing is refused with a message that says what to give", () => {
    expect(problems({ ...valid, award: {}, cap: undefined })).toEqual(["award: award coins, points or both"]);
  });

  it("a count trigger needs exactly one of atCount and every", () => {
    const message = "trigger: give either atCount (award once, on the Nth event) or every (award on every Nth event)";
    expect(problems({ ...valid, trigger: { kind: "count" } })).toEqual([message]);
    expect(problems({ ...valid, trigger: { kind: "count", atCount: 3, every: 3 } })).toEqual([message]);
    expect(problems({ ...valid, trigger: { kind: "count", atCount: 0 } })).toEqual(["trigger.atCount: must be at least 1"]);
  });

  it("an unknown trigger, a one-period streak and an unknown split are named precisely", () => {
    expect(problems({ ...valid, trigger: { kind: "often" } })).toEqual(["trigger.kind: kind is each, first, count or streak"]);
    expect(problems({ ...valid, trigger: { kind: "streak", period: "week", length: 1 } })).toEqual([
      "trigger.length: a streak is at least 2 periods",
    ]);
    expect(problems({ ...valid, team: { split: "by-role" } })).toEqual(['team.split: the only split is "equal"']);
  });

  it("a bad condition deep inside the tree is reported with its path inside the condition", () => {
    const when = { all: [{ field: "score", op: "gt", value: 80 }, { not: { field: "passed", op: "gte", value: true } }] };
    expect(problems({ ...valid, when })).toEqual(["when: all.1: not: value: order compares numbers or strings"]);
    expect(problems({ ...valid, when: { field: "score", op: "about", value: 1 } })).toEqual([
      "when: op: op is one of eq, ne, gt, gte, lt, lte, in, exists",
    ]);
    expect(problems({ ...valid, when: { field: "../secret", op: "exists" } })).toEqual([
      'when.field: name a field of the event data by a dot path, e.g. "score" or "course.level"',
    ]);
  });

  it("conditions nest at most five levels deep and lists stay short", () => {
    const leaf = { field: "score", op: "exists" };
    const nest = (depth: number): unknown => (depth === 1 ? leaf : { not: nest(depth - 1) });
    expect(problems({ ...valid, when: nest(5) })).toEqual([]);
    expect(problems({ ...valid, when: nest(6) })).toEqual(["when: not: not: not: not: not: conditions nest at most 5 levels deep"]);
    expect(problems({ ...valid, when: { any: Array(21).fill(leaf) } })).toEqual(["when: any: list at most 20 conditions"]);
    expect(problems({ ...valid, when: { field: "level", op: "in", values: Array(101).fill(1) } })).toEqual([
      "when: values: list at most 100 values",
    ]);
  });

  it("a cap on an asset the rule does not award is refused, and so is an unknown key", () => {
    expect(problems({ ...valid, cap: { period: "day", points: 5 }, award: { coins: 5 } })).toEqual([
      "cap.points: the award gives no points to cap",
    ]);
    expect(problems({ ...valid, bonus: 1 })).toEqual([': Unrecognized key: "bonus"']);
  });

  it("two versions of one rule cannot be evaluated together", () => {
    const first = rule("course", {});
    expect(() => compileRules([first, { ...first, version: 2 }])).toThrow(expect.objectContaining({ code: "duplicate-rule-id" }));
  });
});

describe("matching events", () => {
  it("a threshold rule awards at the threshold and not below it", () => {
    const distinction = rule("distinction", { when: { field: "score", op: "gte", value: 90 } });
    const { grants, states } = run(
      [distinction],
      [event("2026-11-23T02:00:00Z", { score: 89 }), event("2026-11-23T03:00:00Z", { score: 90 })],
    );
    expect(grants).toEqual([
      [],
      [{ personId: yang, rule: { ruleId: "distinction", version: 1 }, reason: "完成课程", cause: causeOf("distinction"), coins: 10 }],
    ]);
    expect(states.get(yang)?.rules.distinction?.count).toBe(1);
  });

  it("an event of another type, or one that fails the condition, changes nothing", () => {
    const distinction = rule("distinction", { when: { field: "score", op: "gte", value: 90 } });
    const before = new Map([[yang, emptyRuleState()]]);
    for (const e of [event("2026-11-23T02:00:00Z", { score: 99 }, yang, sandboxPassed), event("2026-11-23T02:00:00Z", { score: "99" })]) {
      const result = evaluateEvent({ rules: [distinction], event: e, states: before });
      expect(result).toEqual({ grants: [], states: before, effects: [], notes: [] });
    }
  });

  it("conditions read nested fields, lists and absence, and a missing field compares false", () => {
    const when: Condition = {
      any: [
        { all: [{ field: "course.level", op: "in", values: ["advanced", "expert"] }, { not: { field: "retake", op: "exists" } }] },
        { field: "mentor.rating", op: "ne", value: 0 },
      ],
    };
    const advanced = rule("advanced", { when });
    const cases: [Record<string, unknown>, boolean][] = [
      [{ course: { level: "advanced" } }, true],
      [{ course: { level: "advanced" }, retake: true }, false],
      [{ course: { level: "basic" } }, false],
      [{ mentor: { rating: 4 } }, true],
      [{}, false],
      [{ course: "advanced" }, false],
    ];
    for (const [data, matches] of cases) {
      const result = evaluateEvent({ rules: [advanced], event: event("2026-11-23T02:00:00Z", data), states: new Map() });
      expect(result.grants.length, JSON.stringify(data)).toBe(matches ? 1 : 0);
    }
  });

  it("two rules on one event both award, each with its own effect", () => {
    const course = rule("course", {});
    const distinction = rule("distinction", {
      name: { zh: "高分通过", en: "Distinction" },
      when: { field: "score", op: "gte", value: 90 },
      award: { points: { capability: "tool-operation", amount: 5 } },
    });
    const result = evaluateEvent({ rules: [course, distinction], event: event("2026-11-23T02:00:00Z", { score: 95 }), states: new Map() });
    expect(result.grants).toEqual([
      { personId: yang, rule: { ruleId: "course", version: 1 }, reason: "完成课程", cause: causeOf("course"), coins: 10 },
      {
        personId: yang,
        rule: { ruleId: "distinction", version: 1 },
        reason: "高分通过",
        cause: causeOf("distinction", { zh: "高分通过", en: "Distinction" }),
        points: { capability: "tool-operation", amount: 5 },
      },
    ]);
    expect(result.effects.map((e) => e.ruleId)).toEqual(["course", "distinction"]);
  });

  it("an individual rule on an event without a subject awards nothing and says why", () => {
    const result = evaluateEvent({ rules: [rule("course", {})], event: event("2026-11-23T02:00:00Z", {}, null), states: new Map() });
    expect(result.grants).toEqual([]);
    expect(result.notes).toEqual(['Rule "course" matches, but the event names no subject; nothing is awarded.']);
  });
});

describe("triggers", () => {
  const days = (n: number, data: Record<string, unknown> = {}) =>
    Array.from({ length: n }, (_, i) => event(new Date(Date.UTC(2026, 10, 1 + i, 2)).toISOString(), data));

  it("a first trigger awards only the first matching event of each person", () => {
    const first = rule("first-course", { trigger: { kind: "first" } });
    const he = person("he-ying");
    const events = [...days(2), event("2026-11-05T02:00:00Z", {}, he), ...days(1)];
    const { grants } = run([first], events);
    expect(grants.map((gs) => gs.map((g) => `${g.personId}:${g.reason}`))).toEqual([
      ["yang-xue:完成课程（首次）"],
      [],
      ["he-ying:完成课程（首次）"],
      [],
    ]);
  });

  it("a count trigger with atCount awards once, on the Nth matching event", () => {
    const third = rule("third", { trigger: { kind: "count", atCount: 3 } });
    const { grants } = run([third], days(6));
    expect(coinsOf(grants)).toEqual([0, 0, 10, 0, 0, 0]);
    expect(grants[2]?.[0]?.reason).toBe("完成课程（累计 3 次）");
  });

  it("a count trigger with every awards on every Nth matching event", () => {
    const everySecond = rule("every-second", { trigger: { kind: "count", every: 2 } });
    expect(coinsOf(run([everySecond], days(6)).grants)).toEqual([0, 10, 0, 10, 0, 10]);
  });

  it("a retracted earlier event does not let an atCount rule award a second time", () => {
    const third = rule("third", { trigger: { kind: "count", atCount: 3 } });
    const [a, b, c, d] = days(4);
    const first = run([third], [a, b, c] as AchievementEvent[]);
    const retracted = undoEffectsOf(first.states, first.steps[0]?.effects ?? []);
    expect(coinsOf(run([third], [d] as AchievementEvent[], [], retracted).grants)).toEqual([0]);
  });

  const weekly = rule("weekly-learner", { trigger: { kind: "streak", period: "week", length: 3 }, award: { coins: 30 } });
  /** Mondays of ISO weeks 2026-W45 onwards, at 10:00 in Shanghai, twice in the weeks asked for. */
  const weeks = (...offsets: number[]) => offsets.map((w) => event(new Date(Date.UTC(2026, 10, 2 + 7 * w, 2)).toISOString(), { week: w }));

  it("a weekly streak awards in the third consecutive week, and again only after three more", () => {
    const { grants } = run([weekly], weeks(0, 0, 1, 2, 2, 3, 4, 5, 6));
    expect(coinsOf(grants)).toEqual([0, 0, 0, 30, 0, 0, 0, 30, 0]);
    expect(grants[3]?.[0]?.reason).toBe("完成课程（连续 3 周）");
    expect(grants[3]?.[0]?.cause.params).toMatchObject({ trigger: { kind: "streak", length: 3, period: "week" } });
    expect(explainCause(grants[3]?.[0]?.cause as Cause).en).toBe("Course completed (3-week streak)");
  });

  it("a missing week breaks the streak, and a streak resumed after it counts from the new start", () => {
    const { grants } = run([weekly], weeks(0, 1, 3, 4, 5));
    expect(coinsOf(grants)).toEqual([0, 0, 0, 0, 30]);
  });

  it("a daily cap in Shanghai reduces the grant that would exceed it, drops the next, and resets at local midnight", () => {
    const capped = rule("capped", { award: { coins: 20 }, cap: { period: "day", coins: 50 } });
    const times = ["2026-11-23T15:00:00Z", "2026-11-23T15:30:00Z", "2026-11-23T15:59:00Z", "2026-11-23T15:59:59Z", "2026-11-23T16:00:00Z"];
    const { grants, notes } = run(
      [capped],
      times.map((t) => event(t)),
    );
    expect(coinsOf(grants)).toEqual([20, 20, 10, 0, 20]);
    expect(notes).toEqual([
      'Rule "capped": the day cap for 2026-11-23 leaves yang-xue 10 of 20 coins.',
      'Rule "capped": the day cap for 2026-11-23 leaves yang-xue 0 of 20 coins; nothing is awarded.',
    ]);
  });

  it("a cap on coins leaves the points of the same award alone", () => {
    const capped = rule("capped", {
      award: { coins: 20, points: { capability: "data-assurance", amount: 4 } },
      cap: { period: "week", coins: 20 },
    });
    const { grants } = run([capped], [event("2026-11-23T02:00:00Z"), event("2026-11-24T02:00:00Z")]);
    expect(grants[1]).toEqual([expect.objectContaining({ points: { capability: "data-assurance", amount: 4 } })]);
    expect(grants[1]?.[0]?.coins).toBeUndefined();
  });
});

describe("team awards", () => {
  const team = rule("sandbox", {
    name: { zh: "数据决策沙盘通过", en: "Data-decision sandbox passed" },
    eventType: sandboxPassed,
    award: { coins: 100, points: { capability: "data-assurance", amount: 10 } },
    team: { split: "equal" },
  });
  const teamEvent = () => event("2026-11-23T02:00:00Z", { team: "east-sales" }, null, sandboxPassed);

  it("100 coins for a team of three are 34, 33 and 33, the extra unit to the first member by person id", () => {
    const members = ["zhao-lei", "he-ying", "wu-min"].map(person);
    const { grants } = evaluateEvent({ rules: [team], event: teamEvent(), states: new Map(), members });
    expect(grants.map((g) => [g.personId, g.coins, g.points?.amount])).toEqual([
      ["he-ying", 34, 4],
      ["wu-min", 33, 3],
      ["zhao-lei", 33, 3],
    ]);
    expect(grants[0]?.reason).toBe("数据决策沙盘通过（团队 3 人均分）");
    expect(explainCause(grants[0]?.cause as Cause).en).toMatch(/ \(shared by a team of 3\)$/);
  });

  it("a member listed twice gets one share", () => {
    const members = ["he-ying", "he-ying", "wu-min"].map(person);
    const { grants } = evaluateEvent({ rules: [team], event: teamEvent(), states: new Map(), members });
    expect(grants.map((g) => g.coins)).toEqual([50, 50]);
  });

  it("a team event without members awards nothing and says why", () => {
    const { grants, notes } = evaluateEvent({ rules: [team], event: teamEvent(), states: new Map() });
    expect(grants).toEqual([]);
    expect(notes).toEqual(['Rule "sandbox" matches, but no team members were given; nothing is awarded.']);
  });

  it("equal shares add up exactly to the whole and differ by at most one, larger shares first", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 1, max: 500 }), (amount, parts) => {
        const shares = splitEqually(amount, parts);
        expect(shares).toHaveLength(parts);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
        expect(shares.every((s, i) => Number.isInteger(s) && s <= (shares[0] ?? 0) && s >= (shares[i + 1] ?? s))).toBe(true);
        expect((shares[0] ?? 0) - (shares.at(-1) ?? 0)).toBeLessThanOrEqual(1);
      }),
      { seed: 34_33_33, numRuns: 500 },
    );
  });
});

// Retraction and boundedness, over a rule set that exercises every trigger, caps and a team rule.
const people = ["li-na", "wang-fang", "zhao-lei"].map(person);
const ruleSet = [
  rule("passed", {
    when: { field: "score", op: "gte", value: 50 },
    award: { coins: 10, points: { capability: "tool-operation", amount: 3 } },
    cap: { period: "day", coins: 25 },
  }),
  rule("first", { trigger: { kind: "first" } }),
  rule("every-second", { trigger: { kind: "count", every: 2 } }),
  rule("third", { trigger: { kind: "count", atCount: 3 } }),
  rule("daily-streak", { trigger: { kind: "streak", period: "day", length: 3 }, award: { coins: 5 }, cap: { period: "week", coins: 10 } }),
  rule("team", { eventType: sandboxPassed, team: { split: "equal" }, award: { coins: 10 }, cap: { period: "day", coins: 8 } }),
];
const start = Date.parse("2026-11-20T00:00:00Z");

const eventArbitrary = fc.record({
  minute: fc.integer({ min: 0, max: 12 * 24 * 60 }),
  person: fc.constantFrom(...people),
  score: fc.integer({ min: 0, max: 100 }),
  team: fc.boolean(),
});
type GeneratedEvent = typeof eventArbitrary extends fc.Arbitrary<infer T> ? T : never;

const toEvents = (generated: readonly GeneratedEvent[]) =>
  generated.map((g) =>
    event(
      new Date(start + g.minute * 60_000).toISOString(),
      { score: g.score },
      g.team ? null : g.person,
      g.team ? sandboxPassed : courseCompleted,
    ),
  );
const byTime = (generated: GeneratedEvent[]) => generated.toSorted((a, b) => a.minute - b.minute);

/** Undoes effects as they come back from storage: through JSON. */
const undoEffectsOf = (states: States, effects: readonly RuleEffect[]) => undoEffects(states, JSON.parse(JSON.stringify(effects)));

/** What a state means for counts and streaks: empty progress and absent people are the same. */
function countsAndStreaks(states: States) {
  const view: Record<string, Record<string, { count: number; streak?: Record<string, number> }>> = {};
  for (const [personId, state] of states) {
    for (const [ruleId, progress] of Object.entries(state.rules)) {
      if (progress.count === 0 && !progress.streak) continue;
      view[personId] ??= {};
      view[personId][ruleId] = { count: progress.count, ...(progress.streak ? { streak: progress.streak.periods } : {}) };
    }
  }
  return view;
}

describe("retracting an event", () => {
  it("undoing the effects of the newest event gives back exactly the state before it", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 1, maxLength: 40 }), (generated) => {
        const events = toEvents(generated);
        const before = run(ruleSet, events.slice(0, -1), people);
        const after = run(ruleSet, events.slice(-1), people, before.states);
        const undone = undoEffectsOf(after.states, after.steps[0]?.effects ?? []);
        const nonEmpty = (states: States) => new Map([...states].filter(([, s]) => Object.keys(s.rules).length > 0));
        expect(nonEmpty(undone)).toEqual(nonEmpty(before.states));
      }),
      { seed: 1123, numRuns: 300 },
    );
  });

  it("undoing any one event leaves the counts and streak periods of the sequence without it, and caps matching the grants that stand", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 1, maxLength: 40 }).map(byTime), fc.nat(), (generated, pick) => {
        const events = toEvents(generated);
        const k = pick % events.length;
        const all = run(ruleSet, events, people);
        const undone = undoEffectsOf(all.states, all.steps[k]?.effects ?? []);
        const without = run(ruleSet, events.toSpliced(k, 1), people);
        expect(countsAndStreaks(undone)).toEqual(countsAndStreaks(without.states));

        // A cap counts what was granted, so after the undo it holds what the other events were granted.
        for (const capped of ruleSet.filter((r) => r.cap)) {
          const period = capped.cap?.period ?? "day";
          for (const personId of people) {
            const standing: Record<string, number> = {};
            all.grants.forEach((gs, i) => {
              if (i === k) return;
              for (const g of gs) {
                if (g.personId !== personId || g.rule.ruleId !== capped.ruleId) continue;
                const key = periodKey(events[i]?.time ?? "", period);
                standing[key] = (standing[key] ?? 0) + (g.coins ?? 0);
              }
            });
            for (const [key, used] of Object.entries(undone.get(personId)?.rules[capped.ruleId]?.caps ?? {})) {
              expect(used.coins, `${capped.ruleId} ${personId} ${key}`).toBe(standing[key]);
            }
          }
        }
      }),
      { seed: 2026, numRuns: 300 },
    );
  });

  it("effects are small plain JSON", () => {
    const { steps } = run(ruleSet, toEvents(fc.sample(eventArbitrary, { numRuns: 200, seed: 7 })), people);
    for (const step of steps) {
      expect(JSON.parse(JSON.stringify(step.effects))).toEqual(step.effects);
      expect(JSON.stringify(step.effects).length).toBeLessThan(2_000);
    }
  });
});

describe("rule state size", () => {
  it("stays bounded after 10,000 events over three years", () => {
    const events = Array.from({ length: 10_000 }, (_, i) =>
      event(
        new Date(start + i * 3 * 3_600_000).toISOString(),
        { score: 60 + (i % 40) },
        people[i % 2],
        i % 7 === 0 ? sandboxPassed : courseCompleted,
      ),
    );
    const { states } = run(ruleSet, events, people);
    for (const state of states.values()) {
      expect(JSON.stringify(state).length).toBeLessThan(1_500);
      for (const progress of Object.values(state.rules)) {
        expect(Object.keys(progress.streak?.periods ?? {}).length).toBeLessThanOrEqual(3);
        expect(Object.keys(progress.caps ?? {}).length).toBeLessThanOrEqual(4);
      }
    }
  });
});
