/**
 * Issuance budgets: how many coins an org unit may issue in a month or a quarter. Coin awards to
 * a person draw from the budget of their unit, or of the nearest unit above that has one, in the
 * same transaction as the entries. A budget's draws are counted on `budgetShards` counters, each
 * capped at its share of the budget, so that one unit's awards do not all write one item (a
 * DynamoDB partition takes about 1,000 writes a second); a draw that one shard cannot hold takes
 * the rest from the next shards, so the whole budget is usable to the last coin.
 */
import type { OrgTree } from "../directory/index.ts";
import { DomainError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import { periodKey } from "../kernel/periods.ts";
import * as z from "../kernel/zod/index.ts";
import type { CounterUpdate, LedgerEntry } from "../ledger/index.ts";

export const budgetShards = 8;

/** A month (2026-12) or a quarter (2026-Q4) of the company's calendar. */
export const BudgetPeriod = z
  .string()
  .check(z.regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, "a month such as 2026-12 or a quarter such as 2026-Q4"));

export const BudgetDefinition = z.strictObject({
  coins: z.number().check(z.int(), z.gte(0), z.lte(1_000_000_000)),
  /**
   * When the budget cannot hold an award: refuse the award; issue it and flag the overspend; or
   * hold it for an approver, who releases it (drawn then, or overspent and flagged) or rejects it.
   */
  whenExhausted: z._default(z.enum(["refuse", "overspend", "hold"]), "refuse"),
});
export type BudgetDefinition = z.infer<typeof BudgetDefinition>;

export interface Budget extends BudgetDefinition {
  budgetId: string;
  orgUnitId: OrgUnitId;
  period: string;
  version: number;
  /** Who set this version (and approved it): they release none of its held awards (four eyes). */
  authors?: PersonId[];
}

export const budgetIdOf = (orgUnitId: OrgUnitId, period: string) => `${orgUnitId}_${period}`;
export const shardCounter = (budgetId: string, shard: number) => `budget:${budgetId}:${shard}`;
export const overspendCounter = (budgetId: string) => `budget:${budgetId}:over`;
/** Every counter of a budget: its shards, then its overspend. */
export const budgetCounters = (budgetId: string) => [
  ...Array.from({ length: budgetShards }, (_, shard) => shardCounter(budgetId, shard)),
  overspendCounter(budgetId),
];

/** A shard's share of the budget: equal shares, the first `coins mod shards` one coin more. */
export const shardCap = (coins: number, shard: number) => Math.floor(coins / budgetShards) + (shard < coins % budgetShards ? 1 : 0);

/** Coins drawn from a budget so far (at most the budget), and overspent beyond it, from its counters' values. */
export function drawnOf(budget: Budget, values: ReadonlyMap<string, number>): { drawn: number; overspent: number } {
  const shards = budgetCounters(budget.budgetId).slice(0, budgetShards);
  return {
    drawn: shards.reduce((sum, counter) => sum + (values.get(counter) ?? 0), 0),
    overspent: values.get(overspendCounter(budget.budgetId)) ?? 0,
  };
}

/**
 * The budget an award to a person of `orgUnitId` made at `at` draws from: the unit's own or the
 * nearest unit's above, a month's before a quarter's.
 */
export function budgetFor(
  tree: OrgTree,
  orgUnitId: OrgUnitId | undefined,
  budgets: ReadonlyMap<string, Budget>,
  at: string,
  timeZone: string,
): Budget | undefined {
  if (!orgUnitId || budgets.size === 0) return undefined;
  const periods = [periodKey(at, "month", timeZone), periodKey(at, "quarter", timeZone)];
  for (const unit of tree.lineage(orgUnitId)) {
    for (const period of periods) {
      const budget = budgets.get(budgetIdOf(unit.orgUnitId, period));
      if (budget) return budget;
    }
  }
  return undefined;
}

export type Draw = { budget: Budget; counters: CounterUpdate[]; overspent: number };

/**
 * The counter updates that draw `amount` coins, starting at shard `start` (spread the writers):
 * each shard takes what fits under its cap, conditionally, so concurrent draws never take more
 * than the budget. Throws `budget-exhausted` when the budget cannot hold the amount and its
 * policy refuses; otherwise the rest is overspent (counted apart, no cap).
 */
export function planDraw(budget: Budget, values: ReadonlyMap<string, number>, amount: number, start: number): Draw {
  const counters: CounterUpdate[] = [];
  let left = amount;
  for (let step = 0; step < budgetShards && left > 0; step++) {
    const shard = (start + step) % budgetShards;
    const counter = shardCounter(budget.budgetId, shard);
    const max = shardCap(budget.coins, shard);
    const take = Math.min(left, max - (values.get(counter) ?? 0));
    if (take <= 0) continue;
    counters.push({ counter, delta: take, max });
    left -= take;
  }
  if (left === 0) return { budget, counters, overspent: 0 };
  if (budget.whenExhausted !== "overspend") {
    // Held for approval where the path can keep the award (the webhook: `heldForApproval`); refused where it cannot.
    throw new DomainError(
      "unprocessable",
      "budget-exhausted",
      `The coin budget of ${budget.orgUnitId} for ${budget.period} has ${amount - left} coins left; this award needs ${amount}.`,
      {
        orgUnitId: budget.orgUnitId,
        period: budget.period,
        left: amount - left,
        needed: amount,
        ...(budget.whenExhausted === "hold" ? { hold: budget.budgetId } : {}),
      },
    );
  }
  return { budget, counters: [...counters, { counter: overspendCounter(budget.budgetId), delta: left }], overspent: left };
}

/** The budgets in force and what finding a person's needs: one per request, from the definitions it read. */
export interface BudgetBook {
  budgets: ReadonlyMap<string, Budget>;
  tree?: OrgTree;
  timeZone: string;
}

export const budgetOfPerson = ({ budgets, tree, timeZone }: BudgetBook, orgUnitId: OrgUnitId | undefined, at: string) =>
  tree ? budgetFor(tree, orgUnitId, budgets, at, timeZone) : undefined;

/** The counters to read before planning draws for these people (none when no budget applies). */
export function countersToRead(book: BudgetBook, units: readonly (OrgUnitId | undefined)[], at: string): string[] {
  const ids = new Set(units.flatMap((unit) => budgetOfPerson(book, unit, at)?.budgetId ?? []));
  return [...ids].flatMap(budgetCounters);
}

/**
 * The coins the entries issue to people, drawn from each person's budget (one draw per budget,
 * so that a team's shares on one budget move each shard once); throws `budget-exhausted` when a
 * budget that refuses cannot hold them.
 */
export function drawsFor(
  book: BudgetBook,
  entries: readonly LedgerEntry[],
  unitOf: (personId: PersonId) => OrgUnitId | undefined,
  values: ReadonlyMap<string, number>,
  at: string,
  start: () => number,
): Draw[] {
  const coins = new Map<string, { budget: Budget; amount: number }>();
  for (const entry of entries) {
    if (entry.asset !== "coin" || entry.kind === "reversal" || !entry.to.startsWith("person:")) continue;
    const budget = budgetOfPerson(book, unitOf(entry.to.slice("person:".length) as PersonId), at);
    if (budget) coins.set(budget.budgetId, { budget, amount: (coins.get(budget.budgetId)?.amount ?? 0) + entry.amount });
  }
  return [...coins.values()].map(({ budget, amount }) => planDraw(budget, values, amount, start()));
}

/** What an answer says of overspent budgets. */
export const overspendNotes = (draws: readonly Draw[]) =>
  draws.flatMap((d) => (d.overspent ? [`Over budget: ${d.budget.orgUnitId} ${d.budget.period}, ${d.overspent} coins.`] : []));

/** The budget whose "hold" policy an exhausted-budget refusal invokes, if it does. */
export const heldForApproval = (error: unknown): string | undefined =>
  error instanceof DomainError && error.code === "budget-exhausted" && typeof error.details.hold === "string"
    ? error.details.hold
    : undefined;

/** The budgets as a release sees them: an approver's release issues what a held budget cannot hold, flagged as overspent. */
export const releasing = (budgets: ReadonlyMap<string, Budget>): Map<string, Budget> =>
  new Map(
    [...budgets].map(([id, budget]) => [id, budget.whenExhausted === "hold" ? { ...budget, whenExhausted: "overspend" as const } : budget]),
  );
