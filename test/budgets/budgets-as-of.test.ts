/**
 * A budget's standing as of a past day, from plain entries and port fakes: what was drawn by the
 * end of that day (awards from the issuer, less retractions; bounty rewards draw on nothing), the
 * coins its people held then, and the burn and forecast at that day's pace.
 */
import { describe, expect, it } from "vitest";
import { type Budget, BudgetService, type CoinHistory, figuresAt, periodStart, type StoredBudget } from "../../domain/budgets/index.ts";
import { OrgTree, type OrgUnit, type Person } from "../../domain/directory/index.ts";
import type { DefinitionStore, Versioned } from "../../domain/kernel/definitions.ts";
import type { EntryId, OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import { demoOrgUnits } from "../../scripts/demo-data.ts";

const timeZone = "Asia/Shanghai";
const tree = new OrgTree(demoOrgUnits as OrgUnit[]);
const budget: Budget = {
  budgetId: "store-east_2026-12",
  orgUnitId: "store-east" as OrgUnitId,
  period: "2026-12",
  coins: 50,
  whenExhausted: "overspend",
  version: 1,
};
const person = (personId: string, orgUnitId: string) =>
  ({ personId: personId as PersonId, name: personId, tier: "base", tierSince: "2024-01-01", orgUnitId: orgUnitId as OrgUnitId }) as Person;
const yang = person("yang-xue", "store-east");

let seq = 0;
const entry = (recordedAt: string, fields: Partial<LedgerEntry>): LedgerEntry =>
  ({
    kind: "award",
    holder: "person:yang-xue",
    from: "system:issuer",
    to: "person:yang-xue",
    asset: "coin",
    amount: 10,
    reason: "course",
    actor: { kind: "source", sourceId: "tianma-learning", eventId: `e-${seq}` },
    occurredAt: recordedAt,
    recordedAt,
    entryId: `person.yang-xue.${++seq}` as EntryId,
    seq,
    prevHash: "",
    hash: "",
    ...fields,
  }) as LedgerEntry;

// December in Shanghai, oldest first: 40 coins were awarded in November, before these.
const passed = entry("2026-12-02T02:00:00.000Z", { amount: 30 });
const december = [
  passed,
  entry("2026-12-03T02:00:00.000Z", { kind: "redemption", from: "person:yang-xue", to: "system:redemptions", amount: 20 }),
  entry("2026-12-05T02:00:00.000Z", { amount: 50, ref: { bountyId: "bty-1", teamId: "t-1", authors: ["yang-xue"] } as never }),
  entry("2026-12-06T02:00:00.000Z", { amount: 60 }),
  entry("2026-12-07T02:00:00.000Z", {
    kind: "reversal",
    from: "person:yang-xue",
    to: "system:issuer",
    amount: 30,
    reverses: passed.entryId,
    cause: { code: "retraction", params: { sourceId: "tianma-learning", eventId: "e-1" } },
  }),
];
const history: CoinHistory = { balance: 40 + 30 - 20 + 50 + 60 - 30, entries: [...december].reverse() };
const histories = new Map([[yang.personId, history]]);
const at = (day: string) => ({
  cutoff: new Date(Date.parse(`${day}T16:00:00.000Z`) - 1).toISOString(),
  tree,
  budgets: new Map([[budget.budgetId, budget]]),
  timeZone,
});

describe("a budget as of a past day", () => {
  it("begins its period at midnight in the company's time zone", () => {
    expect(periodStart("2026-12", timeZone)).toBe("2026-11-30T16:00:00.000Z");
    expect(periodStart("2026-Q4", timeZone)).toBe("2026-09-30T16:00:00.000Z");
  });

  it("counts the awards drawn by the end of the day and the coins held then, a redemption lowering only what is held", () => {
    expect(figuresAt(budget, [yang], histories, at("2026-12-03"))).toEqual({ issued: 30, outstanding: 50 });
  });

  it("leaves a bounty's reward out of what is drawn but not out of what is held", () => {
    expect(figuresAt(budget, [yang], histories, at("2026-12-05"))).toEqual({ issued: 30, outstanding: 100 });
    expect(figuresAt(budget, [yang], histories, at("2026-12-06"))).toEqual({ issued: 90, outstanding: 160 });
  });

  it("gives a retracted award back to the budget it drew on from the day of the retraction", () => {
    expect(figuresAt(budget, [yang], histories, at("2026-12-07"))).toEqual({ issued: 60, outstanding: 130 });
  });

  it("draws nothing for a person whose unit draws on no budget, though what they hold counts for the unit above", () => {
    const ma = person("ma-chao", "store-south");
    const theirs = new Map([
      [
        ma.personId,
        { balance: 90, entries: [entry("2026-12-02T02:00:00.000Z", { holder: "person:ma-chao", to: "person:ma-chao", amount: 90 })] },
      ],
    ]);
    expect(figuresAt(budget, [ma], theirs, at("2026-12-03"))).toEqual({ issued: 0, outstanding: 90 });
  });

  const service = (today: string) =>
    new BudgetService({
      definitions: {
        list: async () =>
          [{ id: budget.budgetId, version: 1, updatedAt: "", updatedBy: "peng-li" as PersonId, body: budget }] as Versioned<StoredBudget>[],
      } as unknown as DefinitionStore,
      store: { readCounters: async () => new Map(), coinBalances: async () => new Map(), coinHistories: async () => histories },
      orgTree: async () => tree,
      peopleIn: async () => [yang],
      clock: { now: () => new Date(`${today}T04:00:00.000Z`) },
      timeZone,
    });
  const finance = { personId: "peng-li" as PersonId, roles: ["finance" as const] };

  it("reports drawn, overspent, burn per day and the forecast at that day's pace, saying which day", async () => {
    const report = await service("2026-12-08").report(finance, "2026-12", "2026-12-06");
    expect(report.asOf).toBe("2026-12-06");
    expect(report.budgets).toEqual([
      expect.objectContaining({
        drawn: 50,
        left: 0,
        overspent: 40,
        burnPerDay: 15,
        forecast: 465,
        outstanding: 160,
        asOf: "2026-12-06T15:59:59.999Z",
      }),
    ]);
  });

  it("refuses a day that has not begun in the company's time zone", async () => {
    await expect(service("2026-12-08").report(finance, "2026-12", "2026-12-09")).rejects.toMatchObject({ code: "as-of-in-future" });
    const managers = { personId: "liu-yang" as PersonId, roles: ["manager" as const] };
    await expect(service("2026-12-08").report(managers, "2026-12", "2026-12-06")).rejects.toMatchObject({ code: "forbidden" });
  });
});
