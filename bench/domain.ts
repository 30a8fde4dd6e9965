/**
 * Rule evaluation throughput on one core: domain/awards/rules.ts `evaluateEvent` over a realistic rule
 * set, events for a few people, each evaluation's states carried into the next, as a webhook
 * batch would. Pure CPU, so events per second is reported directly (budget ≥ 200,000).
 */

import { type AchievementEvent, compileRules, evaluateEvent, type Rule } from "../domain/awards/index.ts";
import type { PersonId } from "../domain/kernel/model.ts";
import type { RuleState } from "../domain/ledger/index.ts";
import { atLeast, median, type Options, type Result } from "./support/result.ts";

const name = (zh: string, en: string) => ({ zh, en });

export const rules: Rule[] = [
  {
    ruleId: "course-completed",
    version: 1,
    name: name("完成课程", "Course completed"),
    eventType: "com.tianma.learning.course.completed",
    trigger: { kind: "each" },
    award: { coins: 10, points: { capability: "tool-operation", amount: 5 } },
  },
  {
    ruleId: "high-score-tenth",
    version: 1,
    name: name("高分课程累计十次", "Ten high-score courses"),
    eventType: "com.tianma.learning.course.completed",
    when: {
      all: [
        { field: "score", op: "gte", value: 90 },
        { field: "course.level", op: "in", values: ["advanced", "expert"] },
      ],
    },
    trigger: { kind: "count", atCount: 10 },
    award: { coins: 100 },
  },
  {
    ruleId: "daily-practice",
    version: 1,
    name: name("每日练习", "Daily practice"),
    eventType: "com.tianma.learning.practice.done",
    trigger: { kind: "each" },
    award: { coins: 2, points: { capability: "efficient-execution", amount: 1 } },
    cap: { period: "day", coins: 10, points: 5 },
  },
];

const people = ["yang-xue", "huang-tao", "wu-min", "ma-chao", "hu-yan"] as PersonId[];
const levels = ["basic", "advanced", "expert"];

export function events(count: number): AchievementEvent[] {
  const start = Date.parse("2026-03-02T01:00:00Z");
  return Array.from({ length: count }, (_, i) => ({
    sourceId: "lms",
    eventId: `e${i}`,
    type: i % 3 === 2 ? "com.tianma.learning.practice.done" : "com.tianma.learning.course.completed",
    subject: people[i % people.length] as PersonId,
    // A few events a minute: day periods (and caps) roll over during a run.
    time: new Date(start + i * 17_000).toISOString(),
    data: { score: 70 + (i % 31), course: { id: `c${i % 40}`, level: levels[i % levels.length] } },
  }));
}

export function run(compiled: ReturnType<typeof compileRules>, batch: readonly AchievementEvent[]): number {
  let states: ReadonlyMap<PersonId, RuleState> = new Map();
  let grants = 0;
  const started = performance.now();
  for (const event of batch) {
    const evaluation = evaluateEvent({ rules: compiled, event, states });
    states = evaluation.states;
    grants += evaluation.grants.length;
  }
  const seconds = (performance.now() - started) / 1000;
  if (grants === 0) throw new Error("the rule set granted nothing; the benchmark measures nothing");
  return batch.length / seconds;
}

export const evaluationName = "rule evaluation: events per second (one core)";

export function domainFigures(options: Options): Result[] {
  const compiled = compileRules(rules);
  const batch = events(options.quick ? 50_000 : 200_000);
  run(compiled, batch.slice(0, 20_000)); // JIT warm-up
  const rates = Array.from({ length: 5 }, () => run(compiled, batch));
  return [atLeast(evaluationName, Math.round(median(rates)), "events/s", 200_000)];
}
