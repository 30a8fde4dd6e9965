/**
 * Badge levels in a backtest's comparison, on plain values: the levels people reach by the end of
 * the replay under the rules as they were and under the draft, per org unit and level; a
 * retracted event takes its points back on both sides.
 */
import { describe, expect, it } from "vitest";
import type { Badge, Rule } from "../../domain/awards/index.ts";
import { backtest, retractedIn } from "../../domain/backtests/index.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import type { EventRecord } from "../../domain/ledger/index.ts";
import { demoBadges, demoRules } from "../../scripts/demo-data.ts";

const rule: Rule = { ...demoRules["course-passed"], ruleId: "course-passed", version: 1 } as Rule;
const learner: Badge = { ...demoBadges["digital-learner"], badgeId: "digital-learner" } as Badge;
const units: Record<string, OrgUnitId> = { "liu-yang": "store-east" as OrgUnitId, "xu-jing": "store-south" as OrgUnitId };

/** A pass a day, each paid 10 tool-operation points by the rule as it was. */
function passes(personId: string, days: number, first = 0): EventRecord[] {
  return Array.from({ length: days }, (_, i) => {
    const time = new Date(Date.UTC(2026, 0, 2 + first + i, 2)).toISOString();
    return {
      sourceId: "tianma-learning",
      eventId: `${personId}-${i}`,
      type: rule.eventType,
      fingerprint: "x",
      recordedAt: time,
      time,
      subject: personId as PersonId,
      data: { score: 90 },
      effects: [],
      awards: [
        {
          personId: personId as PersonId,
          entryId: `person.${personId}.${i + 1}` as never,
          asset: "point:tool-operation",
          amount: 10,
          kind: "award",
          ruleId: "course-passed",
          ruleVersion: 1,
          reason: "pass",
        },
      ],
    };
  });
}

const replay = (records: EventRecord[], points: number) =>
  backtest({
    rules: [rule],
    draft: { ...rule, version: 2, award: { coins: 20, points: { capability: "tool-operation", amount: points } } },
    events: (async function* () {
      yield* records;
    })(),
    retracted: retractedIn(records),
    from: "2026-01-01T00:00:00.000Z",
    to: "2026-03-01T00:00:00.000Z",
    unitOf: (personId) => units[personId],
    timeZone: "Asia/Shanghai",
    maxEvents: 1_000,
    badges: [learner],
  });

describe("badge levels in a backtest", () => {
  it("the draft equal to the rule reaches the same levels; more points per pass reach higher ones, per unit", async () => {
    // 5 passes: 50 points, bronze (30) as the rule was; 3 passes: 30 points, bronze.
    const records = [...passes("liu-yang", 5), ...passes("xu-jing", 3, 10)].sort((a, b) =>
      (a.time as string).localeCompare(b.time as string),
    );
    expect((await replay(records, 10)).badges.every((row) => row.change === 0)).toBe(true);
    const { badges } = await replay(records, 25);
    expect(badges).toEqual([
      { orgUnitId: "store-east", badgeId: "digital-learner", level: 1, actual: 1, wouldBe: 1, change: 0 },
      { orgUnitId: "store-east", badgeId: "digital-learner", level: 2, actual: 0, wouldBe: 1, change: 1 },
      { orgUnitId: "store-south", badgeId: "digital-learner", level: 1, actual: 1, wouldBe: 1, change: 0 },
    ]);
    // 5 points a pass: 25 for liu-yang, 15 for xu-jing, bronze lost by both.
    expect((await replay(records, 5)).badges.map((row) => [row.orgUnitId, row.level, row.change])).toEqual([
      ["store-east", 1, -1],
      ["store-south", 1, -1],
    ]);
  });

  it("a retracted pass counts on neither side", async () => {
    const records = passes("liu-yang", 3);
    const retraction: EventRecord = {
      ...(records[2] as EventRecord),
      eventId: "retraction-1",
      type: "laurel.event.retracted",
      retracts: "liu-yang-2",
      awards: [],
      recordedAt: "2026-01-20T00:00:00.000Z",
      time: "2026-01-20T00:00:00.000Z",
    };
    // 20 points left as the rule was (no bronze); 40 under a draft of 20 a pass (bronze).
    const { badges } = await replay([...records, retraction], 20);
    expect(badges).toEqual([{ orgUnitId: "store-east", badgeId: "digital-learner", level: 1, actual: 0, wouldBe: 1, change: 1 }]);
  });
});
