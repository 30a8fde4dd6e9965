/**
 * The append-only, double-entry ledger: entries, the hash chain, the fold that gives balances,
 * and the invariants every write must keep. Pure: no I/O, no clock (callers pass times in).
 */
import { canonicalJson, sha256Hex } from "../kernel/canonical.ts";
import { DomainError, InsufficientBalanceError } from "../kernel/errors.ts";
import { type AccountId, type AssetKey, type EntryId, type PersonId, reservedAccount } from "../kernel/model.ts";
import type { Cause } from "./causes.ts";

export type Actor = { kind: "person"; personId: PersonId } | { kind: "source"; sourceId: string; eventId: string };

export interface RuleRef {
  ruleId: string;
  version: number;
}

/**
 * Fund pools (docs/FUND.md) add deposit (budget → pool), reservation (pool → its reserved
 * sub-account), payout and void (which settle a reservation); coin redemption adds redemption.
 */
export type EntryKind = "award" | "deduction" | "reversal" | "deposit" | "reservation" | "payout" | "void" | "redemption";

/**
 * What an entry was for, beyond its reason: a fund claim, a reward redeemed, a bounty won (with
 * its authors, credited by name), or a record of a system before Laurel, imported.
 */
export type EntryRef =
  | { claimId: string }
  | { rewardId: string; rewardVersion: number; quantity: number; periodKey: string }
  | { bountyId: string; teamId: string; authors: PersonId[] }
  | { importedFrom: { system: string; recordId: string; importId: string } };

/** A transfer that is decided but not yet recorded in a chain. */
export interface Movement {
  kind: EntryKind;
  asset: AssetKey;
  /** Positive integer: money-like values never use floats. */
  amount: number;
  from: AccountId;
  to: AccountId;
  reason: string;
  /** The reason as a code and parameters, which the page and the API say in either language. */
  cause?: Cause;
  actor: Actor;
  rule?: RuleRef;
  /** When it happened in the business; `recordedAt` is when the ledger learnt of it. */
  occurredAt: string;
  reverses?: EntryId;
  /** For coins and points that come with a badge level: that level, taken back with it. */
  grantedWith?: AssetKey;
  /** For a deduction: what kind of penalty it is (e.g. red-warning), as promotion gates ask. */
  category?: string;
  /**
   * A mirror posting: the same transfer as the entry named here, recorded in the chain of the
   * other party (a person paid by a fund). It moves the person's balance, but is counted once,
   * as its original, when all accounts are summed.
   */
  mirrorOf?: EntryId;
  /** A payout or void: the reservation entry (same chain) it settles. */
  settles?: EntryId;
  ref?: EntryRef;
}

/**
 * A recorded entry. Every entry belongs to one chain, the account of its holder (a person, later
 * a fund), with a gap-free sequence number and the hash of the entry before it.
 */
export interface LedgerEntry extends Movement {
  entryId: EntryId;
  holder: AccountId;
  seq: number;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** The projection of one chain: what the fold of its entries gives. */
export interface ChainState {
  holder: AccountId;
  seq: number;
  headHash: string;
  balances: Partial<Record<AssetKey, number>>;
  /** The entry that gave each badge level held: what a revocation reverses. */
  badgeEntries: Partial<Record<AssetKey, EntryId>>;
  /** Balances of the holder's reserved sub-account (`<holder>:reserved`), when not all zero. */
  reserved?: Partial<Record<AssetKey, number>>;
}

export const genesisHash = "0".repeat(64);

export const emptyChain = (holder: AccountId): ChainState => ({
  holder,
  seq: 0,
  headHash: genesisHash,
  balances: {},
  badgeEntries: {},
});

/** Entry ids name their chain and position, so an entry is read by key, never searched for. */
export const entryIdOf = (holder: AccountId, seq: number): EntryId => `${holder.replace(":", ".")}.${seq}` as EntryId;

export function holderOfEntryId(entryId: string): AccountId | undefined {
  const match = /^(person|fund)\.([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,15})$/.exec(entryId);
  return match ? (`${match[1]}:${match[2]}` as AccountId) : undefined;
}

export function hashEntry(entry: Omit<LedgerEntry, "hash">): string {
  return sha256Hex(`${entry.prevHash}\n${canonicalJson(entry)}`);
}

/** The effect of one entry on its holder's balances: the single fold used everywhere. */
export function applyEntry(state: ChainState, entry: LedgerEntry): ChainState {
  const delta = entry.to === state.holder ? entry.amount : entry.from === state.holder ? -entry.amount : 0;
  const balances = { ...state.balances };
  const next = (balances[entry.asset] ?? 0) + delta;
  if (next === 0) delete balances[entry.asset];
  else balances[entry.asset] = next;
  let badgeEntries = state.badgeEntries;
  if (entry.asset.startsWith("badge:")) {
    badgeEntries = { ...badgeEntries };
    if (next > 0) badgeEntries[entry.asset] = entry.entryId;
    else delete badgeEntries[entry.asset];
  }
  const sub = reservedAccount(state.holder);
  const reservedDelta = entry.to === sub ? entry.amount : entry.from === sub ? -entry.amount : 0;
  let reserved = state.reserved;
  if (reservedDelta !== 0) {
    reserved = { ...reserved };
    const held = (reserved[entry.asset] ?? 0) + reservedDelta;
    if (held === 0) delete reserved[entry.asset];
    else reserved[entry.asset] = held;
  }
  return {
    holder: state.holder,
    seq: entry.seq,
    headHash: entry.hash,
    balances,
    badgeEntries,
    ...(reserved && Object.keys(reserved).length > 0 ? { reserved } : {}),
  };
}

export const foldChain = (holder: AccountId, entries: Iterable<LedgerEntry>): ChainState => {
  let state = emptyChain(holder);
  for (const entry of entries) state = applyEntry(state, entry);
  return state;
};

/**
 * Records movements at the end of a chain. Refuses any movement that would leave a person's
 * balance below zero, or give a badge level twice: the chain's invariants.
 */
export function appendMovements(
  state: ChainState,
  movements: readonly Movement[],
  recordedAt: string,
): { entries: LedgerEntry[]; state: ChainState } {
  const entries: LedgerEntry[] = [];
  let current = state;
  for (const movement of movements) {
    const sub = reservedAccount(state.holder);
    if (movement.from !== state.holder && movement.to !== state.holder && movement.from !== sub && movement.to !== sub) {
      throw new Error(`movement does not touch the chain of ${state.holder}`);
    }
    const seq = current.seq + 1;
    const unhashed = {
      ...movement,
      entryId: entryIdOf(state.holder, seq),
      holder: state.holder,
      seq,
      recordedAt,
      prevHash: current.headHash,
    };
    const entry: LedgerEntry = { ...unhashed, hash: hashEntry(unhashed) };
    const before = current.balances[movement.asset] ?? 0;
    current = applyEntry(current, entry);
    const after = current.balances[movement.asset] ?? 0;
    if (after < 0) throw new InsufficientBalanceError(movement.asset, before, movement.amount);
    if ((current.reserved?.[movement.asset] ?? 0) < 0) {
      throw new DomainError("conflict", "insufficient-reserved", `Less than ${movement.amount} of ${movement.asset} is reserved.`, {
        asset: movement.asset,
        requested: movement.amount,
      });
    }
    if (movement.asset.startsWith("badge:") && after > 1) {
      throw new DomainError("conflict", "badge-level-already-held", `The badge level ${movement.asset} is already held.`, {
        asset: movement.asset,
      });
    }
    entries.push(entry);
  }
  return { entries, state: current };
}

/** Where the coins and points a badge level granted can be: right after its entry, same append. */
export const grantCandidates = (badgeEntry: Pick<LedgerEntry, "holder" | "seq">): EntryId[] =>
  [1, 2].map((offset) => entryIdOf(badgeEntry.holder, badgeEntry.seq + offset));

export const seqOfEntryId = (entryId: EntryId): number => Number(entryId.slice(entryId.lastIndexOf(".") + 1));

/** A correction: the same value moved back, referencing the original. */
export function reversalOf(original: LedgerEntry, actor: Actor, reason: string, occurredAt: string, cause?: Cause): Movement {
  if (original.kind === "reversal") {
    throw new DomainError(
      "conflict",
      "reversal-not-reversible",
      `Entry ${original.entryId} is itself a reversal and cannot be reversed; record a new award or deduction instead.`,
      { entryId: original.entryId },
    );
  }
  if (original.kind !== "award" && original.kind !== "deduction") {
    // Fund and redemption entries have their own corrections, which keep both chains and the
    // pool's or reward's books in step: clawbacks and redemption cancellations.
    throw new DomainError(
      "conflict",
      "entry-corrected-elsewhere",
      `Entry ${original.entryId} is a ${original.kind}; correct it with a clawback (POST /claims/{claimId}/clawbacks) or a redemption cancellation instead.`,
      { entryId: original.entryId, kind: original.kind },
    );
  }
  return {
    kind: "reversal",
    asset: original.asset,
    amount: original.amount,
    from: original.to,
    to: original.from,
    reason,
    ...(cause ? { cause } : {}),
    actor,
    ...(original.rule ? { rule: original.rule } : {}),
    occurredAt,
    reverses: original.entryId,
  };
}

export type ChainProblem = { entryId: EntryId | undefined; seq: number; problem: string };

/**
 * Recomputes a chain from its entries (in sequence order) and names the first entry that breaks
 * it: a gap in the sequence, a link to the wrong previous hash, or content that no longer
 * matches its hash.
 */
export function verifyChain(entries: readonly LedgerEntry[]): ChainProblem | undefined {
  const links = new ChainLinks();
  for (const entry of entries) links.take(entry);
  return links.broken;
}

/** verifyChain an entry at a time, for a chain read page by page: the first break, once found, stays. */
export class ChainLinks {
  #prevHash = genesisHash;
  #seq = 0;
  #broken: ChainProblem | undefined;

  get broken(): ChainProblem | undefined {
    return this.#broken;
  }

  take(entry: LedgerEntry): void {
    if (this.#broken) return;
    this.#seq += 1;
    const seq = this.#seq;
    const { hash, ...unhashed } = entry;
    if (entry.seq !== seq) this.#broken = { entryId: entry.entryId, seq, problem: `expected sequence ${seq}, found ${entry.seq}` };
    else if (entry.prevHash !== this.#prevHash)
      this.#broken = { entryId: entry.entryId, seq, problem: "previous-hash link does not match the entry before it" };
    else if (hashEntry(unhashed) !== hash) this.#broken = { entryId: entry.entryId, seq, problem: "content does not match its hash" };
    this.#prevHash = hash;
  }
}

/** Balances of every account, system accounts included, from a set of entries. */
export function foldAllAccounts(entries: Iterable<LedgerEntry>): Map<AccountId, Map<AssetKey, number>> {
  const accounts = new Map<AccountId, Map<AssetKey, number>>();
  const add = (account: AccountId, asset: AssetKey, amount: number) => {
    const balances = accounts.get(account) ?? new Map<AssetKey, number>();
    balances.set(asset, (balances.get(asset) ?? 0) + amount);
    accounts.set(account, balances);
  };
  for (const entry of entries) {
    // A mirror repeats a transfer recorded in another chain: the transfer counts once.
    if (entry.mirrorOf) continue;
    add(entry.from, entry.asset, -entry.amount);
    add(entry.to, entry.asset, entry.amount);
  }
  return accounts;
}
