/** Ports of the budgets context: what budgets need from storage (functions/dynamo/stores/budget-store.ts). */
import type { PersonId } from "../kernel/model.ts";
import type { CoinHistory } from "./as-of.ts";

export interface BudgetStore {
  /** Counters by name (0 when absent), read consistently. */
  readCounters(names: readonly string[]): Promise<Map<string, number>>;
  /** Each person's coin balance now. */
  coinBalances(personIds: readonly PersonId[]): Promise<Map<PersonId, number>>;
  /** Each person's coin balance now and their entries recorded at or after `since`, newest first. */
  coinHistories(personIds: readonly PersonId[], since: string): Promise<Map<PersonId, CoinHistory>>;
}
