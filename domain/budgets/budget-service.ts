/**
 * Finance sets each org unit's coin budget for a month or a quarter, and sees, per unit, how fast
 * it burns, where it will end the period at that pace, and the coins its people hold: issued and
 * not yet redeemed, the programme's outstanding liability.
 */
import { assertRole, type Caller, type OrgTree, type Person } from "../directory/index.ts";
import { csvOf } from "../kernel/csv.ts";
import type { DefinitionStore, Versioned } from "../kernel/definitions.ts";
import { authorsOf } from "../kernel/duties.ts";
import { DomainError } from "../kernel/errors.ts";
import type { OrgUnitId } from "../kernel/model.ts";
import { periodKey } from "../kernel/periods.ts";
import type { Clock } from "../kernel/ports.ts";
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

  /** Every budget of a period, its unit's standing today. */
  async report(caller: Caller, period: string): Promise<BudgetStanding[]> {
    assertRole(caller, ["finance", "admin"]);
    const budgets = [...budgetsOf(await this.#deps.definitions.list<StoredBudget>("budget")).values()].filter((b) => b.period === period);
    return (await this.#standings(budgets)).sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId));
  }

  async #standings(budgets: readonly Budget[]): Promise<BudgetStanding[]> {
    const now = this.#deps.clock.now();
    const values = await this.#deps.store.readCounters(budgets.flatMap((b) => budgetCounters(b.budgetId)));
    const today = periodKey(now, "day", this.#deps.timeZone);
    return Promise.all(
      budgets.map(async (budget) => {
        const { drawn, overspent } = drawnOf(budget, values);
        const people = await this.#deps.peopleIn(budget.orgUnitId);
        const balances = await this.#deps.store.coinBalances(people.map((p) => p.personId));
        const { elapsed, total } = daysOf(budget.period, today);
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
          outstanding: [...balances.values()].reduce((sum, coins) => sum + coins, 0),
          asOf: now.toISOString(),
        };
      }),
    );
  }
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

export function budgetsCsv(standings: readonly BudgetStanding[]): string {
  const header = ["orgUnitId", "period", "coins", "drawn", "left", "overspent", "burnPerDay", "forecast", "outstanding", "asOf"] as const;
  return csvOf([header, ...standings.map((s) => header.map((column) => String(s[column])))]);
}
