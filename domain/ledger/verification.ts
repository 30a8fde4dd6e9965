/**
 * The ledger's invariants, checked from the entries themselves: what `npm run verify`, the
 * scheduled verifier and the tests all use.
 */
import { canonicalJson } from "../kernel/canonical.ts";
import type { AccountId, AssetKey } from "../kernel/model.ts";
import { applyEntry, ChainLinks, type ChainState, foldAllAccounts, foldChain, holderOfEntryId, type LedgerEntry } from "./ledger.ts";

export interface StoredChain {
  holder: AccountId;
  /** Entries in sequence order. */
  entries: LedgerEntry[];
  /** The stored projection (chain head), if any. */
  projection: ChainState | undefined;
}

export type Problem = { holder: AccountId; entryId?: string; problem: string };

/**
 * The ledger's invariants checked one chain at a time, so that a whole ledger is verified while
 * holding no chain's entries: each chain's entries are taken in order, a page at a time (`begin`),
 * and checked as they pass: per chain the hash chain, projection = fold, no negative balance
 * and settlements; across chains, the per-asset totals (kept as sums) and fund mirrors (fund
 * entries and mirror postings are kept until the end; they are few beside people's entries).
 *
 * `settledBefore` (an ISO time): only entries recorded before it take part in the cross-chain
 * checks. A verifier that reads chains one after another sees a transfer written meanwhile in one
 * chain and not yet in the other; a time safely before the verification began (minutes, longer
 * than any write takes) leaves those out instead of raising a false alarm.
 */
export class LedgerVerifier {
  readonly #problems: Problem[] = [];
  readonly #crossChain: LedgerEntry[] = [];
  readonly #holders = new Set<AccountId>();
  readonly #totals = new Map<AssetKey, number>();
  readonly #settledBefore: string | undefined;
  #entries = 0;

  constructor(options: { settledBefore?: string } = {}) {
    this.#settledBefore = options.settledBefore;
  }

  get entries(): number {
    return this.#entries;
  }

  /** A chain to verify: `take` its entries in sequence order, page by page, then `end` it with its stored projection. */
  begin(holder: AccountId): { take(entries: readonly LedgerEntry[]): void; end(projection: ChainState | undefined): void } {
    this.#holders.add(holder);
    const check = new ChainCheck(holder);
    return {
      take: (entries) => {
        check.take(entries);
        this.#entries += entries.length;
        for (const entry of entries) {
          const crossChain = entry.mirrorOf !== undefined || entry.holder.startsWith("fund:");
          if (crossChain && (this.#settledBefore === undefined || entry.recordedAt < this.#settledBefore)) this.#crossChain.push(entry);
        }
        for (const balances of foldAllAccounts(entries).values()) {
          for (const [asset, amount] of balances) this.#totals.set(asset, (this.#totals.get(asset) ?? 0) + amount);
        }
      },
      end: (projection) => {
        this.#problems.push(...check.problems(projection));
      },
    };
  }

  add({ holder, entries, projection }: StoredChain): void {
    const chain = this.begin(holder);
    chain.take(entries);
    chain.end(projection);
  }

  /** Every broken invariant, first problem of each chain first. */
  problems(): Problem[] {
    const problems = [...this.#problems, ...mirrorProblems(this.#crossChain, this.#holders)];
    for (const [asset, total] of this.#totals) {
      if (total !== 0) problems.push({ holder: "system:issuer", problem: `accounts of ${asset} sum to ${total}, not zero` });
    }
    return problems;
  }
}

/** Names every broken invariant, first problem of each chain first. */
export function verifyLedger(chains: Iterable<StoredChain>): Problem[] {
  const verifier = new LedgerVerifier();
  for (const chain of chains) verifier.add(chain);
  return verifier.problems();
}

type Settlement = Pick<LedgerEntry, "entryId" | "kind" | "asset" | "amount"> & { settles: string };

/**
 * One chain's own invariants, its entries taken in sequence order a page at a time. It keeps
 * their fold, the first broken link and the chain's reservations and settlements (a fund's
 * claims: few), not the entries.
 */
export class ChainCheck {
  readonly #holder: AccountId;
  readonly #links = new ChainLinks();
  readonly #reservations = new Map<string, Pick<LedgerEntry, "asset" | "amount">>();
  readonly #settlements: Settlement[] = [];
  #folded: ChainState;
  #entries = 0;

  constructor(holder: AccountId) {
    this.#holder = holder;
    this.#folded = foldChain(holder, []);
  }

  /** The fold of the entries taken so far. */
  get folded(): ChainState {
    return this.#folded;
  }

  take(entries: readonly LedgerEntry[]): void {
    for (const entry of entries) {
      this.#links.take(entry);
      this.#folded = applyEntry(this.#folded, entry);
      if (entry.kind === "reservation") this.#reservations.set(entry.entryId, { asset: entry.asset, amount: entry.amount });
      if (entry.settles && !entry.mirrorOf)
        this.#settlements.push({
          entryId: entry.entryId,
          kind: entry.kind,
          asset: entry.asset,
          amount: entry.amount,
          settles: entry.settles,
        });
    }
    this.#entries += entries.length;
  }

  /** What is broken, given the chain's stored projection (its head). */
  problems(projection: ChainState | undefined): Problem[] {
    const holder = this.#holder;
    const broken = this.#links.broken;
    if (broken) return [{ holder, ...(broken.entryId ? { entryId: broken.entryId } : {}), problem: broken.problem }];
    const problems: Problem[] = [];
    const folded = this.#folded;
    const stored = projection ?? foldChain(holder, []);
    if (
      stored.seq !== folded.seq ||
      stored.headHash !== folded.headHash ||
      !sameBalances(stored.balances, folded.balances) ||
      canonicalJson(stored.badgeEntries ?? {}) !== canonicalJson(folded.badgeEntries) ||
      !sameBalances(stored.reserved ?? {}, folded.reserved ?? {})
    ) {
      problems.push({ holder, problem: `projection differs from the fold of its ${this.#entries} entries` });
    }
    for (const [asset, amount] of Object.entries(folded.balances)) {
      if ((holder.startsWith("person:") || holder.startsWith("fund:")) && (amount as number) < 0)
        problems.push({ holder, problem: `negative balance of ${asset}: ${amount}` });
    }
    for (const [asset, amount] of Object.entries(folded.reserved ?? {})) {
      if ((amount as number) < 0) problems.push({ holder, problem: `negative reserved balance of ${asset}: ${amount}` });
    }
    problems.push(...this.#settlementProblems());
    return problems;
  }

  /** Each reservation is settled (paid out or voided) at most once, and then in full. */
  #settlementProblems(): Problem[] {
    const holder = this.#holder;
    const settled = new Map<string, { amount: number; kinds: Set<string> }>();
    const problems: Problem[] = [];
    for (const entry of this.#settlements) {
      const reservation = this.#reservations.get(entry.settles);
      if (!reservation || reservation.asset !== entry.asset) {
        problems.push({
          holder,
          entryId: entry.entryId,
          problem: `settles ${entry.settles}, which is not a reservation of ${entry.asset} in this chain`,
        });
        continue;
      }
      const sum = settled.get(entry.settles) ?? { amount: 0, kinds: new Set<string>() };
      sum.amount += entry.amount;
      sum.kinds.add(entry.kind);
      settled.set(entry.settles, sum);
    }
    for (const [entryId, { amount, kinds }] of settled) {
      const reserved = this.#reservations.get(entryId)?.amount ?? 0;
      if (amount !== reserved || kinds.size !== 1)
        problems.push({ holder, entryId, problem: `reservation of ${reserved} settled by ${[...kinds].join(" and ")} for ${amount}` });
    }
    return problems;
  }
}

/**
 * A transfer between a fund and a person is recorded in the fund's chain and mirrored, once and
 * identically, in the person's. Checked where both chains are among those verified.
 */
function mirrorProblems(entries: readonly LedgerEntry[], holders: ReadonlySet<AccountId>): Problem[] {
  const byId = new Map(entries.map((e) => [e.entryId as string, e]));
  const mirrors = new Map<string, LedgerEntry[]>();
  const problems: Problem[] = [];
  const same = (a: LedgerEntry, b: LedgerEntry) =>
    a.kind === b.kind && a.asset === b.asset && a.amount === b.amount && a.from === b.from && a.to === b.to;
  for (const entry of entries) {
    if (!entry.mirrorOf) continue;
    mirrors.set(entry.mirrorOf, [...(mirrors.get(entry.mirrorOf) ?? []), entry]);
    const originalHolder = holderOfEntryId(entry.mirrorOf);
    if (!originalHolder || !holders.has(originalHolder)) continue;
    const original = byId.get(entry.mirrorOf);
    if (!original || !same(original, entry))
      problems.push({ holder: entry.holder, entryId: entry.entryId, problem: `mirror of ${entry.mirrorOf} does not match it` });
  }
  for (const entry of entries) {
    if (entry.mirrorOf || !entry.holder.startsWith("fund:")) continue;
    const party = [entry.from, entry.to].find((account) => account.startsWith("person:") && !account.endsWith(":reserved"));
    if (!party || !holders.has(party)) continue;
    const found = (mirrors.get(entry.entryId) ?? []).filter((m) => m.holder === party);
    if (found.length !== 1 || (mirrors.get(entry.entryId) ?? []).length !== 1)
      problems.push({ holder: entry.holder, entryId: entry.entryId, problem: `has ${found.length} mirror postings in ${party}, not 1` });
  }
  return problems;
}

function sameBalances(a: ChainState["balances"], b: ChainState["balances"]): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<AssetKey>;
  return [...keys].every((key) => (a[key] ?? 0) === (b[key] ?? 0));
}
