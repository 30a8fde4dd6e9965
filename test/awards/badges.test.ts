import { describe, expect, it } from "vitest";
import {
  type Badge,
  BadgeDefinition,
  type BadgeProgress,
  badgeLevelsLost,
  badgeLevelsReached,
  badgeStanding,
  checkBadgeDefinition,
  evaluateEvent,
  RuleDefinition,
} from "../../domain/awards/index.ts";
import type { AssetKey, Capability, PersonId } from "../../domain/kernel/model.ts";
import type { RuleState } from "../../domain/ledger/index.ts";

const ladderDefinition = {
  name: { zh: "数字化管理认证", en: "Digital management certification" },
  description: { zh: "理论与实操考试通过的认证阶梯", en: "The certification ladder: theory and hands-on exams" },
  imageUrl: "https://static.tianma.example/badges/certification.png",
  capability: "data-assurance",
  levels: [
    {
      level: 1,
      name: { zh: "数字化管理专员", en: "Digital management specialist" },
      criteria: [
        { kind: "points", atLeast: 100 },
        { kind: "ruleCount", ruleId: "cert-exam", atLeast: 1 },
      ],
    },
    {
      level: 2,
      name: { zh: "数字化管理师", en: "Digital manager" },
      criteria: [
        { kind: "points", atLeast: 300 },
        { kind: "points", capability: "data-assurance", atLeast: 50 },
        { kind: "ruleCount", ruleId: "cert-exam", atLeast: 2 },
      ],
      grants: { coins: 200 },
    },
    {
      level: 3,
      name: { zh: "数字化高级管理师", en: "Senior digital manager" },
      criteria: [
        { kind: "points", atLeast: 600 },
        { kind: "points", capability: "data-assurance", atLeast: 150 },
        { kind: "ruleCount", ruleId: "cert-exam", atLeast: 3 },
      ],
      grants: { coins: 500, points: { capability: "data-assurance", amount: 20 } },
    },
  ],
};
const ladder: Badge = { ...BadgeDefinition.parse(ladderDefinition), badgeId: "certification" };

const examsPassed = (n: number): RuleState => ({ rules: n > 0 ? { "cert-exam": { count: n } } : {} });

function progress(points: Partial<Record<Capability, number>>, exams: number, held: number[] = []): BadgeProgress {
  return {
    pointsByCapability: points,
    ruleState: examsPassed(exams),
    heldLevels: new Set(held.map((level): AssetKey => `badge:certification:${level}`)),
  };
}

const levels = (changes: { level: number }[]) => changes.map((c) => c.level);

describe("badge definitions", () => {
  it("the certification ladder is a valid badge", () => {
    expect(BadgeDefinition.safeParse(ladderDefinition).success).toBe(true);
  });

  it("an image that is not served over https is refused", () => {
    const result = BadgeDefinition.safeParse({ ...ladderDefinition, imageUrl: "http://static.tianma.example/b.png" });
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["imageUrl", "use an https URL"]]);
  });

  it("a badge has one to five levels, each with at least one criterion", () => {
    const tooMany = { ...ladderDefinition, levels: Array(6).fill(ladderDefinition.levels[0]) };
    expect(BadgeDefinition.safeParse(tooMany).error?.issues.map((i) => i.message)).toEqual(["a badge has at most 5 levels"]);
    const noCriteria = { ...ladderDefinition, levels: [{ ...ladderDefinition.levels[0], criteria: [] }] };
    expect(BadgeDefinition.safeParse(noCriteria).error?.issues.map((i) => i.message)).toEqual(["give at least one criterion"]);
  });

  it("a criterion on a rule that does not exist is unprocessable, naming the level and the rule", () => {
    expect(() => checkBadgeDefinition(ladder, new Set(["course"]))).toThrow(
      expect.objectContaining({
        kind: "unprocessable",
        code: "badge-criterion-unknown-rule",
        message: 'Level 1 counts the events of rule "cert-exam", which does not exist.',
      }),
    );
    expect(() => checkBadgeDefinition(ladder, new Set(["cert-exam"]))).not.toThrow();
  });

  it("levels numbered out of order are unprocessable", () => {
    const [first, second] = ladder.levels;
    const swapped = { ...ladder, levels: [second, first] as typeof ladder.levels };
    expect(() => checkBadgeDefinition(swapped, new Set(["cert-exam"]))).toThrow(
      expect.objectContaining({
        code: "badge-levels-out-of-order",
        message: "The level at position 1 is numbered 2; number the levels 1, 2, 3… in order.",
      }),
    );
  });

  it("a higher level that asks for less than a lower one is unprocessable", () => {
    const [first, second] = ladder.levels;
    if (!first || !second) throw new Error("the ladder has levels");
    const easier = { ...second, criteria: [{ kind: "points" as const, atLeast: 50 }] };
    expect(() => checkBadgeDefinition({ ...ladder, levels: [first, easier] }, new Set(["cert-exam"]))).toThrow(
      expect.objectContaining({
        code: "badge-levels-out-of-order",
        message: "Level 2 asks for 50 (points:*), less than the 100 of level 1; a higher level cannot be easier.",
      }),
    );
  });
});

describe("badge levels reached", () => {
  it("nothing is reached until every criterion of the first level holds", () => {
    expect(badgeLevelsReached([ladder], progress({ "tool-operation": 500 }, 0))).toEqual([]);
    expect(badgeLevelsReached([ladder], progress({ "tool-operation": 99 }, 1))).toEqual([]);
  });

  it("the first level is reached with its name and asset", () => {
    expect(badgeLevelsReached([ladder], progress({ "tool-operation": 100 }, 1))).toEqual([
      {
        badgeId: "certification",
        level: 1,
        asset: "badge:certification:1",
        name: { zh: "数字化管理专员", en: "Digital management specialist" },
        badgeName: { zh: "数字化管理认证", en: "Digital management certification" },
      },
    ]);
  });

  it("points of one capability count for that capability's criterion and for the total", () => {
    expect(levels(badgeLevelsReached([ladder], progress({ "tool-operation": 250, "data-assurance": 49 }, 2)))).toEqual([1]);
    expect(levels(badgeLevelsReached([ladder], progress({ "tool-operation": 250, "data-assurance": 50 }, 2)))).toEqual([1, 2]);
  });

  it("reaching the top level at once brings the skipped levels too, lowest first, with their grants", () => {
    const reached = badgeLevelsReached([ladder], progress({ "data-assurance": 600 }, 3));
    expect(levels(reached)).toEqual([1, 2, 3]);
    expect(reached.map((r) => r.grants)).toEqual([
      undefined,
      { coins: 200 },
      { coins: 500, points: { capability: "data-assurance", amount: 20 } },
    ]);
  });

  it("a level already held is not reached again", () => {
    expect(levels(badgeLevelsReached([ladder], progress({ "data-assurance": 600 }, 3, [1])))).toEqual([2, 3]);
    expect(badgeLevelsReached([ladder], progress({ "data-assurance": 600 }, 3, [1, 2, 3]))).toEqual([]);
  });

  it("rule counts come from the rule state the award rules keep", () => {
    const exam = {
      ...RuleDefinition.parse({
        name: { zh: "认证考试通过", en: "Certification exam passed" },
        eventType: "com.tianma.learning.exam.passed",
        trigger: { kind: "each" },
        award: { points: { capability: "data-assurance", amount: 60 } },
      }),
      ruleId: "cert-exam",
      version: 1,
    };
    const person = "yang-xue" as PersonId;
    const passed = evaluateEvent({
      rules: [exam],
      event: { sourceId: "lms", eventId: "x-1", type: exam.eventType, subject: person, time: "2026-11-23T02:00:00Z", data: {} },
      states: new Map(),
    });
    const ruleState = passed.states.get(person) ?? { rules: {} };
    const reached = badgeLevelsReached([ladder], { pointsByCapability: { "data-assurance": 100 }, ruleState, heldLevels: new Set() });
    expect(levels(reached)).toEqual([1]);
  });
});

describe("badge levels lost", () => {
  it("levels no longer justified after a retraction are lost, highest first", () => {
    expect(levels(badgeLevelsLost([ladder], progress({ "data-assurance": 600 }, 1, [1, 2, 3])))).toEqual([3, 2]);
  });

  it("a lower level stays while a higher level held still justifies it", () => {
    const twoMeasures: Badge = {
      ...ladder,
      levels: [
        { level: 1, name: { zh: "学员", en: "Learner" }, criteria: [{ kind: "ruleCount", ruleId: "cert-exam", atLeast: 1 }] },
        { level: 2, name: { zh: "达人", en: "Expert" }, criteria: [{ kind: "points", atLeast: 500 }] },
      ],
    };
    expect(badgeLevelsLost([twoMeasures], progress({ "tool-operation": 500 }, 0, [1, 2]))).toEqual([]);
    expect(levels(badgeLevelsLost([twoMeasures], progress({ "tool-operation": 499 }, 0, [1, 2])))).toEqual([2, 1]);
  });

  it("levels not held are never lost", () => {
    expect(badgeLevelsLost([ladder], progress({}, 0, []))).toEqual([]);
  });
});

describe("a badge version's standing for a person (dry run before approval)", () => {
  it("names the levels a person holds, those the version justifies, and those they would reach with their next award", () => {
    const standing = badgeStanding(ladder, progress({ "data-assurance": 60, "tool-operation": 250 }, 2, [1]));
    expect(standing).toEqual({ held: [1], justified: [1, 2], wouldReach: [2], noLongerJustified: [] });
  });

  it("a stricter version leaves held levels unjustified but held, and reaches nothing new", () => {
    const stricter: Badge = {
      ...ladder,
      levels: ladder.levels.map((level) => ({ ...level, criteria: [...level.criteria, { kind: "points", atLeast: 10_000 }] })),
    };
    expect(badgeStanding(stricter, progress({ "data-assurance": 160, "tool-operation": 500 }, 3, [1, 2]))).toEqual({
      held: [1, 2],
      justified: [],
      wouldReach: [],
      noLongerJustified: [1, 2],
    });
  });

  it("a held level the version no longer has is counted as held and unjustified; other badges' levels are not", () => {
    const twoLevels: Badge = { ...ladder, levels: ladder.levels.slice(0, 2) };
    const held = progress({ "data-assurance": 200, "tool-operation": 500 }, 3, [1, 2, 3]);
    const withOther = { ...held, heldLevels: new Set<AssetKey>([...held.heldLevels, "badge:other:4"]) };
    expect(badgeStanding(twoLevels, withOther)).toEqual({ held: [1, 2, 3], justified: [1, 2], wouldReach: [], noLongerJustified: [3] });
  });
});
