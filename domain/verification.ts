/**
 * The ledger's invariants, checked from the entries themselves: what `npm run verify`, the
 * scheduled verifier and the tests all use.
 */
import { canonicalJson } from "./canonical.ts";
import { type ChainState, foldAllAccounts, foldChain, type LedgerEntry, verifyChain } from "./ledger.ts";
import type { AccountId, AssetKey } from "./model.ts";

export interface StoredChain {
  holder: AccountId;
  /** Entries in sequence order. */
  entries: LedgerEntry[];
  /** The stored projection (chain head), if any. */
  projection: ChainState | undefined;
}

export type Problem = { holder: AccountId; entryId?: string; problem: string };

/** Names every broken invariant, first problem of each chain first. */
export function verifyLedger(chains: Iterable<StoredChain>): Problem[] {
  const problems: Problem[] = [];
  const everything: LedgerEntry[] = [];
  for (const { holder, entries, projection } of chains) {
    everything.push(...entries);
    const broken = verifyChain(entries);
    if (broken) {
      problems.push({ holder, ...(broken.entryId ? { entryId: broken.entryId } : {}), problem: broken.problem });
      continue;
    }
    const folded = foldChain(holder, entries);
    const stored = projection ?? foldChain(holder, []);
    if (
      stored.seq !== folded.seq ||
      stored.headHash !== folded.headHash ||
      !sameBalances(stored.balances, folded.balances) ||
      canonicalJson(stored.badgeEntries ?? {}) !== canonicalJson(folded.badgeEntries)
    ) {
      problems.push({ holder, problem: `projection differs from the fold of its ${entries.length} entries` });
    }
    for (const [asset, amount] of Object.entries(folded.balances)) {
      if (holder.startsWith("person:") && (amount as number) < 0)
        problems.push({ holder, problem: `negative balance of ${asset}: ${amount}` });
    }
  }
  const totals = new Map<AssetKey, number>();
  for (const balances of foldAllAccounts(everything).values()) {
    for (const [asset, amount] of balances) totals.set(asset, (totals.get(asset) ?? 0) + amount);
  }
  for (const [asset, total] of totals) {
    if (total !== 0) problems.push({ holder: "system:issuer", problem: `accounts of ${asset} sum to ${total}, not zero` });
  }
  return problems;
}

function sameBalances(a: ChainState["balances"], b: ChainState["balances"]): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<AssetKey>;
  return [...keys].every((key) => (a[key] ?? 0) === (b[key] ?? 0));
}
