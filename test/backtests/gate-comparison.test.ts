/**
 * Promotion gates in a backtest's comparison, on plain values: each changed person checked on
 * the gates of their tier with their facts now and with the draft's difference applied; per org
 * unit and gate, who would newly meet it and who would newly miss it.
 */
import { describe, expect, it } from "vitest";
import { backtestCsv, gateChanges, type PersonChange } from "../../domain/backtests/index.ts";
import type { Person } from "../../domain/directory/index.ts";
import type { EligibilityFacts, GateDefinition } from "../../domain/gates/index.ts";
import type { AssetKey, EntryId, OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { demoGates } from "../../scripts/demo-data.ts";

const gate = {
  gateId: "base-to-middle",
  version: 1,
  // The demo's gate, on points and the learner's bronze only.
  definition: {
    ...demoGates["base-to-middle"],
    criteria: demoGates["base-to-middle"].criteria.slice(0, 3).filter((c) => c.kind !== "capabilityPoints"),
  } as GateDefinition,
};
const bronze: AssetKey = "badge:digital-learner:1";

function facts(personId: string, tier: "base" | "middle", points: number, badge: boolean): EligibilityFacts {
  return {
    person: { personId, name: personId, tier, tierSince: "2024-01-01", orgUnitId: "store-east" } as unknown as Person,
    chain: {
      holder: `person:${personId}` as never,
      seq: 3,
      headHash: "h",
      balances: { "point:tool-operation": points, ...(badge ? { [bronze]: 1 } : {}) },
      badgeEntries: badge ? { [bronze]: `person.${personId}.1` as EntryId } : {},
    },
    measures: [],
    penalties: [],
    at: "2026-12-01T00:00:00.000Z",
  };
}

const change = (points: number, gained: AssetKey[] = [], lost: AssetKey[] = []): PersonChange => ({
  assets: new Map<AssetKey, number>([["point:tool-operation", points]]),
  gained,
  lost,
});

const units: Record<string, OrgUnitId> = { a: "store-east" as OrgUnitId, b: "store-east" as OrgUnitId, c: "store-south" as OrgUnitId };

describe("gates in a backtest", () => {
  it("counts who would newly meet and newly miss a gate, per org unit, from points and badge levels the draft moves", () => {
    const people = new Map([
      // 90 points and bronze: 20 more points meets the gate.
      ["a" as PersonId, { facts: facts("a", "base", 90, true), change: change(20) }],
      // 120 points and bronze: 30 fewer misses it.
      ["b" as PersonId, { facts: facts("b", "base", 120, true), change: change(-30) }],
      // 150 points, no bronze: the draft's bronze meets it.
      ["c" as PersonId, { facts: facts("c", "base", 150, false), change: change(0, [bronze]) }],
    ]);
    expect(gateChanges([gate], people, (p) => units[p], "(none)")).toEqual([
      { orgUnitId: "store-east", gateId: "base-to-middle", newlyMeeting: 1, newlyMissing: 1 },
      { orgUnitId: "store-south", gateId: "base-to-middle", newlyMeeting: 1, newlyMissing: 0 },
    ]);
  });

  it("leaves out people of another tier and changes that decide nothing", () => {
    const people = new Map([
      ["a" as PersonId, { facts: facts("a", "middle", 90, true), change: change(20) }],
      ["b" as PersonId, { facts: facts("b", "base", 300, true), change: change(-30) }],
      ["c" as PersonId, { facts: facts("c", "base", 150, true), change: change(0, [], [bronze]) }],
    ]);
    expect(gateChanges([gate], people, (p) => units[p], "(none)")).toEqual([
      { orgUnitId: "store-south", gateId: "base-to-middle", newlyMeeting: 0, newlyMissing: 1 },
    ]);
  });
});

describe("the comparison as CSV", () => {
  it("lists coins and points, then badge levels by people, then gates by people newly meeting and missing them", () => {
    const csv = backtestCsv({
      ruleId: "course-passed",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
      eventsReplayed: 12,
      eventsCounted: 12,
      rows: [{ orgUnitId: "store-east", asset: "coin", actual: 100, wouldBe: 150, change: 50 }],
      liabilityChange: 50,
      badges: [{ orgUnitId: "store-east", badgeId: "digital-manager", level: 1, actual: 2, wouldBe: 3, change: 1 }],
      gates: [{ orgUnitId: "store-east", gateId: "base-to-middle", newlyMeeting: 1, newlyMissing: 0 }],
    });
    expect(
      csv
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n"),
    ).toEqual([
      "orgUnitId,asset,actual,wouldBe,change,newlyMeeting,newlyMissing",
      "store-east,coin,100,150,50,,",
      "store-east,badge:digital-manager:1,2,3,1,,",
      "store-east,gate:base-to-middle,,,,1,0",
    ]);
  });
});
