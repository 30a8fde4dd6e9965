/**
 * What budgets read: their draw counters (COUNTER#budget:<unitId>_<period>:<shard|over>, state
 * table, moved in the awards' transactions) and people's coin balances (their chain heads).
 */
import type { BudgetStore } from "../../../domain/budgets/index.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { DynamoLedgerStore } from "../ledger-store.ts";

export class DynamoBudgetStore implements BudgetStore {
  readonly #ledger: DynamoLedgerStore;

  constructor(ledger: DynamoLedgerStore) {
    this.#ledger = ledger;
  }

  readCounters(names: readonly string[]): Promise<Map<string, number>> {
    return this.#ledger.readCounters(names);
  }

  async coinBalances(personIds: readonly PersonId[]): Promise<Map<PersonId, number>> {
    const people = await this.#ledger.readPeople(personIds);
    return new Map([...people].map(([personId, snapshot]) => [personId, snapshot.chain.balances.coin ?? 0]));
  }
}
