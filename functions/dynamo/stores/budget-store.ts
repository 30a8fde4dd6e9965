/**
 * What budgets read: their draw counters (COUNTER#budget:<unitId>_<period>:<shard|over>, state
 * table, moved in the awards' transactions), people's coin balances (their chain heads) and, for
 * a past day, their entries since the period began (their chains, newest first, a page at a time).
 */
import type { BudgetStore, CoinHistory } from "../../../domain/budgets/index.ts";
import { mapLimit } from "../../../domain/kernel/concurrency.ts";
import { type PersonId, personAccount } from "../../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../../domain/ledger/index.ts";
import type { DynamoLedgerStore } from "../ledger-store.ts";

const historyPage = 100;
/** People whose chains are read at once: a unit's hundreds without a burst of thousands of Queries. */
const historiesInFlight = 8;

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

  async coinHistories(personIds: readonly PersonId[], since: string): Promise<Map<PersonId, CoinHistory>> {
    const balances = await this.coinBalances(personIds);
    const histories = await mapLimit(personIds, historiesInFlight, async (personId) => {
      const entries: LedgerEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.#ledger.readHistory(personAccount(personId), historyPage, cursor);
        const recent = page.items.filter((e) => e.recordedAt >= since);
        entries.push(...recent);
        // A chain is recorded in order: the first entry before `since` ends the read.
        cursor = recent.length < page.items.length ? undefined : page.cursor;
      } while (cursor);
      return [personId, { balance: balances.get(personId) ?? 0, entries }] as const;
    });
    return new Map(histories);
  }
}
