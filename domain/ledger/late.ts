/**
 * Two clocks. Every entry says when it happened in the business (`occurredAt`) and when the ledger
 * learnt of it (`recordedAt`). An as-of read "as known on day D" folds what was recorded by the
 * end of D: it reproduces a past decision exactly. "As of D with everything known now" also counts
 * what happened by D but was recorded later: imported history, back-dated awards. Those *late*
 * entries are summed per person, per (day it happened, day it was recorded), beside the chain, so
 * that the second answer costs one more bounded read, not a scan of the history.
 */
import type { AssetKey, EntryId, PersonId } from "../kernel/model.ts";
import { periodKey } from "../kernel/periods.ts";
import type { ChainState, LedgerEntry } from "./ledger.ts";

export interface LateSum {
  personId: PersonId;
  occurredDay: string;
  recordedDay: string;
  /** The change of each of the person's balances, summed over the late entries of these two days. */
  deltas: Partial<Record<AssetKey, number>>;
  /** The entry that gave each badge level among them: the evidence an as-of answer cites. */
  badgeEntries: Partial<Record<AssetKey, EntryId>>;
}

export type AsOfClock = "known-then" | "known-now";

/** The late entries of person chains among `entries`, summed by person and day pair. */
export function lateSums(entries: readonly LedgerEntry[], timeZone: string): LateSum[] {
  const sums = new Map<string, LateSum>();
  for (const entry of entries) {
    if (!entry.holder.startsWith("person:")) continue;
    const occurredDay = periodKey(entry.occurredAt, "day", timeZone);
    const recordedDay = periodKey(entry.recordedAt, "day", timeZone);
    if (occurredDay >= recordedDay) continue;
    const delta = entry.to === entry.holder ? entry.amount : entry.from === entry.holder ? -entry.amount : 0;
    if (delta === 0) continue;
    const personId = entry.holder.slice("person:".length) as PersonId;
    const id = `${personId}\u0000${occurredDay}\u0000${recordedDay}`;
    const sum = sums.get(id) ?? { personId, occurredDay, recordedDay, deltas: {}, badgeEntries: {} };
    sum.deltas[entry.asset] = (sum.deltas[entry.asset] ?? 0) + delta;
    if (entry.asset.startsWith("badge:") && delta > 0) sum.badgeEntries[entry.asset] = entry.entryId;
    sums.set(id, sum);
  }
  return [...sums.values()];
}

/**
 * The chain as of the end of `day` with everything known now: the state known then, plus what
 * happened by that day but was recorded after it.
 */
export function withLateEntries(knownThen: ChainState, sums: readonly LateSum[], day: string): ChainState {
  const balances = { ...knownThen.balances };
  const badgeEntries = { ...knownThen.badgeEntries };
  for (const sum of sums) {
    if (sum.occurredDay > day || sum.recordedDay <= day) continue;
    for (const [asset, delta] of Object.entries(sum.deltas) as [AssetKey, number][]) {
      const next = (balances[asset] ?? 0) + delta;
      if (next === 0) delete balances[asset];
      else balances[asset] = next;
      const badgeEntry = sum.badgeEntries[asset];
      if (next > 0 && badgeEntry) badgeEntries[asset] = badgeEntry;
      if (next <= 0) delete badgeEntries[asset];
    }
  }
  return { ...knownThen, balances, badgeEntries };
}
