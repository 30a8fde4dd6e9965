/** Issuance budgets as plain values: which budget an award draws on, how a draw spreads over shards, the period's days. */
import { describe, expect, it } from "vitest";
import { type Budget, budgetFor, budgetShards, daysOf, drawnOf, planDraw, shardCap, shardCounter } from "../../domain/budgets/index.ts";
import { OrgTree, type OrgUnit } from "../../domain/directory/index.ts";
import type { OrgUnitId } from "../../domain/kernel/model.ts";
import { demoOrgUnits } from "../../scripts/demo-data.ts";

const tree = new OrgTree(demoOrgUnits as OrgUnit[]);
const budget = (orgUnitId: string, period: string, coins: number, whenExhausted: Budget["whenExhausted"] = "refuse"): Budget => ({
  budgetId: `${orgUnitId}_${period}`,
  orgUnitId: orgUnitId as OrgUnitId,
  period,
  coins,
  whenExhausted,
  version: 1,
});
const byId = (...budgets: Budget[]) => new Map(budgets.map((b) => [b.budgetId, b]));
const december = "2026-12-10T04:00:00Z";

describe("which budget an award draws on", () => {
  it("the person's own unit's month budget before its quarter's, and the nearest unit above when their unit has none", () => {
    const budgets = byId(budget("retail-ops", "2026-12", 500), budget("store-east", "2026-Q4", 100), budget("store-east", "2026-12", 50));
    expect(budgetFor(tree, "store-east" as OrgUnitId, budgets, december, "Asia/Shanghai")?.budgetId).toBe("store-east_2026-12");
    expect(budgetFor(tree, "store-south" as OrgUnitId, budgets, december, "Asia/Shanghai")?.budgetId).toBe("retail-ops_2026-12");
    expect(budgetFor(tree, "fleet" as OrgUnitId, budgets, december, "Asia/Shanghai")).toBeUndefined();
  });

  it("the period is the company's: 1 January 00:30 in Shanghai is still December in UTC but draws on January", () => {
    const budgets = byId(budget("store-east", "2026-12", 50), budget("store-east", "2027-01", 70));
    expect(budgetFor(tree, "store-east" as OrgUnitId, budgets, "2026-12-31T16:30:00Z", "Asia/Shanghai")?.period).toBe("2027-01");
  });
});

describe("drawing on a budget", () => {
  it("the shards' caps add up to the budget, to the coin", () => {
    for (const coins of [0, 7, 8, 300, 1001]) {
      expect(Array.from({ length: budgetShards }, (_, s) => shardCap(coins, s)).reduce((a, b) => a + b, 0)).toBe(coins);
    }
  });

  it("a draw that one shard cannot hold takes the rest from the next shards, each capped", () => {
    const b = budget("store-east", "2026-12", 80);
    const values = new Map([[shardCounter(b.budgetId, 3), 8]]);
    const draw = planDraw(b, values, 25, 3);
    expect(draw.counters).toEqual([
      { counter: shardCounter(b.budgetId, 3), delta: 2, max: 10 },
      { counter: shardCounter(b.budgetId, 4), delta: 10, max: 10 },
      { counter: shardCounter(b.budgetId, 5), delta: 10, max: 10 },
      { counter: shardCounter(b.budgetId, 6), delta: 3, max: 10 },
    ]);
    expect(draw.overspent).toBe(0);
  });

  it("a budget that cannot hold the award refuses it with a code naming the unit, the period and what is left", () => {
    const b = budget("store-east", "2026-12", 16);
    const values = new Map<string, number>(Array.from({ length: budgetShards }, (_, s) => [shardCounter(b.budgetId, s), s < 6 ? 2 : 1]));
    expect(() => planDraw(b, values, 5, 0)).toThrowError(
      expect.objectContaining({ code: "budget-exhausted", details: expect.objectContaining({ left: 2, needed: 5 }) }),
    );
  });

  it("under the overspend policy the award takes what is left and the rest is counted as overspent", () => {
    const b = budget("store-east", "2026-12", 16, "overspend");
    const values = new Map<string, number>(Array.from({ length: budgetShards }, (_, s) => [shardCounter(b.budgetId, s), s < 6 ? 2 : 1]));
    const draw = planDraw(b, values, 5, 0);
    expect(draw.overspent).toBe(3);
    const after = new Map(values);
    for (const { counter, delta } of draw.counters) after.set(counter, (after.get(counter) ?? 0) + delta);
    expect(drawnOf(b, after)).toEqual({ drawn: 16, overspent: 3 });
  });
});

describe("the period's days", () => {
  it("a month and a quarter, as of a day inside, before and after them", () => {
    expect(daysOf("2026-12", "2026-12-10")).toEqual({ elapsed: 10, total: 31 });
    expect(daysOf("2026-Q4", "2026-11-01")).toEqual({ elapsed: 32, total: 92 });
    expect(daysOf("2026-12", "2026-11-30")).toEqual({ elapsed: 0, total: 31 });
    expect(daysOf("2026-02", "2026-05-01")).toEqual({ elapsed: 28, total: 28 });
  });
});
