/**
 * Finance sets each org unit's coin budget for a month or a quarter, and sees, per unit, how fast
 * it burns, where it will end the period at that pace, and the coins its people hold: issued and
 * not yet redeemed, the programme's outstanding liability: today from the counters, or as of any
 * past day from the ledger (as-of.ts).
 */
import { assertRole, type Caller, type OrgTree, type Person } from "../directory/index.ts";
import { csvOf } from "../kernel/csv.ts";
import type { DefinitionStore, Versioned } from "../kernel/definitions.ts";
import { authorsOf } from "../kernel/duties.ts";
import { DomainError } from "../kernel/errors.ts";
import type { OrgUnitId } from "../kernel/model.ts";
import { endOfDay, periodKey } from "../kernel/periods.ts";
import type { Clock } from "../kernel/ports.ts";
import { figuresAt, periodStart } from "./as-of.ts";
import { type Budget, type BudgetDefinition, budgetCounters, budgetIdOf, drawnOf } from "./budgets.ts";
import type { BudgetStore } from "./ports.ts";

export interface BudgetDeps {
  definitions: DefinitionStore;
  store: BudgetStore;
  orgTree(): Promise<OrgTree>;
  /** The people of an org unit and every unit below it. */
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  clock: Clock;
  timeZone: string;
}

export type StoredBudget = BudgetDefinition & { orgUnitId: OrgUnitId; period: string };

export interface BudgetStanding {
  orgUnitId: OrgUnitId;
  period: string;
  version: number;
  coins: number;
  whenExhausted: Budget["whenExhausted"];
  drawn: number;
  left: number;
  overspent: number;
  /** Coins drawn per day of the period so far. */
  burnPerDay: number;
  /** Drawn and overspent at the end of the period if it burns on at this pace. */
  forecast: number;
  /** Coins held now by the people of the unit and below: issued, not yet redeemed. */
  outstanding: number;
  asOf: string;
}

export const budgetsOf = (versions: readonly Versioned<StoredBudget>[]): Map<string, Budget> =>
  new Map(versions.map((v) => [v.id, { ...v.body, budgetId: v.id, version: v.version, authors: authorsOf(v) }]));

export class BudgetService {
  readonly #deps: BudgetDeps;

  constructor(deps: BudgetDeps) {
    this.#deps = deps;
  }

  async put(caller: Caller, orgUnitId: OrgUnitId, period: string, definition: BudgetDefinition): Promise<BudgetStanding> {
    assertRole(caller, ["finance", "admin"]);
    const tree = await this.#deps.orgTree();
    if (!tree.get(orgUnitId)) throw new DomainError("not-found", "org-unit-not-found", `No org unit with id "${orgUnitId}".`);
    const id = budgetIdOf(orgUnitId, period);
    const current = await this.#deps.definitions.get<StoredBudget>("budget", id);
    const next: Versioned<StoredBudget> = {
      id,
      version: (current?.version ?? 0) + 1,
      updatedAt: this.#deps.clock.now().toISOString(),
      updatedBy: caller.personId,
      body: { ...definition, orgUnitId, period },
    };
    await this.#deps.definitions.put("budget", next, current?.version ?? 0);
    const [standing] = await this.#standings([{ ...next.body, budgetId: id, version: next.version }]);
    return standing as BudgetStanding;
  }

  /**
   * Every budget of a period, its unit's standing at the end of `asOf` (a day of the company's
   * calendar, today unless given; a day not begun yet is refused). Today's comes from the
   * counters, a past day's from the ledger (as-of.ts); both say which day they are.
   */
  async report(caller: Caller, period: string, asOf?: string): Promise<{ asOf: string; budgets: BudgetStanding[] }> {
    assertRole(caller, ["finance", "admin"]);
    const today = periodKey(this.#deps.clock.now(), "day", this.#deps.timeZone);
    const day = asOf ?? today;
    if (day > today)
      throw new DomainError(
        "invalid",
        "as-of-in-future",
        `asOf ${day} is after today (${today}, ${this.#deps.timeZone}); give a day up to today.`,
        {
          asOf: day,
          today,
          timeZone: this.#deps.timeZone,
        },
      );
    const all = budgetsOf(await this.#deps.definitions.list<StoredBudget>("budget"));
    const budgets = [...all.values()].filter((b) => b.period === period);
    const standings = day === today ? await this.#standings(budgets) : await this.#pastStandings(budgets, all, day);
    return { asOf: day, budgets: standings.sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId)) };
  }

  async #pastStandings(budgets: readonly Budget[], all: ReadonlyMap<string, Budget>, day: string): Promise<BudgetStanding[]> {
    const { timeZone } = this.#deps;
    const cutoff = endOfDay(day, timeZone);
    const tree = await this.#deps.orgTree();
    return Promise.all(
      budgets.map(async (budget) => {
        const people = await this.#deps.peopleIn(budget.orgUnitId);
        const since = [periodStart(budget.period, timeZone), cutoff].sort()[0] as string;
        const histories = await this.#deps.store.coinHistories(
          people.map((p) => p.personId),
          since,
        );
        const { issued, outstanding } = figuresAt(budget, people, histories, { cutoff, tree, budgets: all, timeZone });
        const drawn = Math.min(issued, budget.coins);
        return standingOf(budget, { drawn, overspent: issued - drawn, outstanding }, day, cutoff);
      }),
    );
  }

  async #standings(budgets: readonly Budget[]): Promise<BudgetStanding[]> {
    const now = this.#deps.clock.now();
    const values = await this.#deps.store.readCounters(budgets.flatMap((b) => budgetCounters(b.budgetId)));
    const today = periodKey(now, "day", this.#deps.timeZone);
    return Promise.all(
      budgets.map(async (budget) => {
        const people = await this.#deps.peopleIn(budget.orgUnitId);
        const balances = await this.#deps.store.coinBalances(people.map((p) => p.personId));
        const outstanding = [...balances.values()].reduce((sum, coins) => sum + coins, 0);
        return standingOf(budget, { ...drawnOf(budget, values), outstanding }, today, now.toISOString());
      }),
    );
  }
}

/** A budget's standing on `day` (its instant `at`): burn per day so far, and the forecast to the period's end at that pace. */
function standingOf(
  budget: Budget,
  { drawn, overspent, outstanding }: { drawn: number; overspent: number; outstanding: number },
  day: string,
  at: string,
): BudgetStanding {
  const { elapsed, total } = daysOf(budget.period, day);
  const burnPerDay = elapsed === 0 ? 0 : Math.round(((drawn + overspent) / elapsed) * 100) / 100;
  return {
    orgUnitId: budget.orgUnitId,
    period: budget.period,
    version: budget.version,
    coins: budget.coins,
    whenExhausted: budget.whenExhausted,
    drawn,
    left: budget.coins - drawn,
    overspent,
    burnPerDay,
    forecast: Math.round(elapsed === 0 ? drawn + overspent : ((drawn + overspent) / elapsed) * total),
    outstanding,
    asOf: at,
  };
}

const dayMs = 86_400_000;

/** Days of a month or quarter, and how many of them have begun by `today` (a day of the company's calendar). */
export function daysOf(period: string, today: string): { elapsed: number; total: number } {
  const [year, part] = period.split("-") as [string, string];
  const firstMonth = part.startsWith("Q") ? (Number(part.slice(1)) - 1) * 3 : Number(part) - 1;
  const months = part.startsWith("Q") ? 3 : 1;
  const start = Date.UTC(Number(year), firstMonth, 1);
  const end = Date.UTC(Number(year), firstMonth + months, 1);
  const total = (end - start) / dayMs;
  const elapsed = Math.min(total, Math.max(0, (Date.parse(today) - start) / dayMs + 1));
  return { elapsed, total };
}

/** The standings as CSV; `day` is the company's day they are at the end of (asOf is that instant). */
export function budgetsCsv(standings: readonly BudgetStanding[], day: string): string {
  const header = ["orgUnitId", "period", "coins", "drawn", "left", "overspent", "burnPerDay", "forecast", "outstanding", "asOf"] as const;
  return csvOf([[...header, "day"], ...standings.map((s) => [...header.map((column) => String(s[column])), day])]);
}
