/**
 * The digital innovation fund (数字化创新基金): pools of money, claims that reserve part of a pool,
 * and the entries that deposit, reserve, pay out, void and claw back. Pure: the service
 * (fund-service.ts) reads the state, these functions decide, the store writes it all in one
 * transaction. The mechanism is described in docs/FUND.md.
 *
 * A pool is a chain, holder `fund:<fundId>`, with two accounts in it: `fund:<fundId>` (available)
 * and `fund:<fundId>:reserved` (reserved for pending claims). Money is an asset
 * `money:<currency>` in integer minor units (fen for CNY).
 *
 *   deposit      system:budget          → fund:<id>               (fund chain)
 *   reservation  fund:<id>              → fund:<id>:reserved      (fund chain)
 *   void         fund:<id>:reserved     → fund:<id>               (fund chain, settles the reservation)
 *   payout       fund:<id>:reserved     → person:<p>              (fund chain + mirror in the person's chain)
 *   clawback     person:<p>             → fund:<id>               (a reversal of the payout: fund chain + mirror)
 */
import { assertNotSelf } from "../kernel/duties.ts";
import { DomainError } from "../kernel/errors.ts";
import {
  type AccountId,
  type AssetKey,
  type EntryId,
  fundAccount,
  type OrgUnitId,
  type PersonId,
  personAccount,
  reservedAccount,
  systemAccount,
} from "../kernel/model.ts";
import {
  type Actor,
  appendMovements,
  type Cause,
  type ChainState,
  type EntryRef,
  type LedgerEntry,
  type Movement,
} from "../ledger/index.ts";

export interface FundLimits {
  /** The most one claim may ask for. */
  perClaim: number;
  /** The most one person may receive from the pool in its period (reserved + paid − clawed back). */
  perPersonInPeriod: number;
}

export interface Fund {
  fundId: string;
  name: string;
  description?: string;
  /** ISO 4217 code; amounts are integers in its minor unit (fen for CNY). */
  currency: string;
  /** The period the pool is for, as a period key: "2026", "2026-Q3". */
  period: string;
  limits: FundLimits;
  /** Claims of more than this need two approvals from different approvers. */
  twoApprovalsAbove: number;
  createdAt: string;
  createdBy: PersonId;
}

/** Running totals of a pool, kept on its chain head and written with every entry. */
export interface FundBook {
  deposited: number;
  paidOut: number;
  clawedBack: number;
  /** Per person: reserved for them + paid to them − clawed back (what the per-person limit counts). */
  committed: Record<string, number>;
}

export const emptyBook = (): FundBook => ({ deposited: 0, paidOut: 0, clawedBack: 0, committed: {} });

export interface FundState {
  chain: ChainState;
  book: FundBook;
}

export const moneyAsset = (currency: string): AssetKey => `money:${currency}`;

export interface FundTotals {
  currency: string;
  deposited: number;
  reserved: number;
  paidOut: number;
  clawedBack: number;
  available: number;
}

export function fundTotals(fund: Pick<Fund, "currency">, state: FundState): FundTotals {
  const asset = moneyAsset(fund.currency);
  return {
    currency: fund.currency,
    deposited: state.book.deposited,
    reserved: state.chain.reserved?.[asset] ?? 0,
    paidOut: state.book.paidOut,
    clawedBack: state.book.clawedBack,
    available: state.chain.balances[asset] ?? 0,
  };
}

/** Totals computed from the entries alone: what the book on the head must agree with. */
export function foldFundTotals(fund: Pick<Fund, "fundId" | "currency">, entries: Iterable<LedgerEntry>): FundTotals {
  const pool = fundAccount(fund.fundId);
  const totals: FundTotals = { currency: fund.currency, deposited: 0, reserved: 0, paidOut: 0, clawedBack: 0, available: 0 };
  for (const e of entries) {
    if (e.kind === "deposit") totals.deposited += e.amount;
    if (e.kind === "payout") totals.paidOut += e.amount;
    if (e.kind === "reversal" && e.to === pool) totals.clawedBack += e.amount;
    if (e.to === pool) totals.available += e.amount;
    if (e.from === pool) totals.available -= e.amount;
    if (e.to === reservedAccount(pool)) totals.reserved += e.amount;
    if (e.from === reservedAccount(pool)) totals.reserved -= e.amount;
  }
  return totals;
}

// ---------------------------------------------------------------------------------------------
// Claims

export const claimStatuses = ["pending", "paid", "rejected", "withdrawn"] as const;
export type ClaimStatus = (typeof claimStatuses)[number];

export interface ClaimPart {
  personId: PersonId;
  amount: number;
  share?: number;
  /** The payout entry in the fund's chain, once posted. */
  payoutEntryId?: EntryId;
  /** The clawback entry in the fund's chain, if clawed back. */
  clawbackEntryId?: EntryId;
}

export interface Decision {
  approverId: PersonId;
  decision: "approve" | "reject";
  comment: string;
  at: string;
}

export interface Claim {
  claimId: string;
  fundId: string;
  claimant: PersonId;
  claimantUnit: OrgUnitId;
  scenario: string;
  measuredValue: string;
  evidence: string[];
  currency: string;
  amount: number;
  splitBy: "amount" | "share";
  parts: ClaimPart[];
  requiredApprovals: 1 | 2;
  decisions: Decision[];
  status: ClaimStatus;
  reservationEntryId: EntryId;
  /** Payouts (posted) or the void (rejected, withdrawn). */
  settlementEntryIds: EntryId[];
  clawedBack: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** How many steps its history has. */
  steps: number;
}

export type ClaimAction = "submitted" | "approved" | "rejected" | "withdrawn" | "posted" | "clawed-back";

export interface ClaimStep {
  claimId: string;
  step: number;
  at: string;
  actor: PersonId;
  action: ClaimAction;
  status: ClaimStatus;
  comment?: string;
  amount?: number;
  entryIds?: EntryId[];
}

export type SplitRequest =
  | { by: "amount"; parts: { personId: string; amount: number }[] }
  | { by: "share"; parts: { personId: string; share: number }[] };

/**
 * Splits an amount among members. By amount: the parts must add up to the whole. By share:
 * each gets floor(amount × share / total shares), and the units left over go one each to the
 * largest remainders, ties to the earlier member: 100 into 1:1:1 is 34/33/33. Exact integers.
 */
export function splitAmount(amount: number, split: SplitRequest): ClaimPart[] {
  const seen = new Set<string>();
  for (const part of split.parts) {
    if (seen.has(part.personId))
      throw new DomainError("unprocessable", "split-member-duplicate", `${part.personId} appears twice in the split.`, {
        personId: part.personId,
      });
    seen.add(part.personId);
  }
  if (split.by === "amount") {
    const sum = split.parts.reduce((total, part) => total + part.amount, 0);
    if (sum !== amount) {
      throw new DomainError("unprocessable", "split-does-not-add-up", `The parts add up to ${sum}, not the ${amount} claimed.`, {
        amount,
        sum,
      });
    }
    return split.parts.map((part) => ({ personId: part.personId as PersonId, amount: part.amount }));
  }
  const totalShares = split.parts.reduce((total, part) => total + part.share, 0);
  const floors = split.parts.map((part, index) => ({
    index,
    amount: Math.floor((amount * part.share) / totalShares),
    remainder: (amount * part.share) % totalShares,
  }));
  let left = amount - floors.reduce((total, f) => total + f.amount, 0);
  const byRemainder = [...floors].sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const f of byRemainder) {
    if (left === 0) break;
    f.amount += 1;
    left -= 1;
  }
  return split.parts.map((part, index) => {
    const share = floors[index] as { amount: number };
    if (share.amount === 0) {
      throw new DomainError(
        "unprocessable",
        "split-part-zero",
        `With these shares ${part.personId} would receive 0 of ${amount}; drop them or raise the amount.`,
        { personId: part.personId, amount },
      );
    }
    return { personId: part.personId as PersonId, amount: share.amount, share: part.share };
  });
}

// ---------------------------------------------------------------------------------------------
// The movements, applied to the fund's chain and, for payouts and clawbacks, mirrored in the
// people's chains.

export interface MovementBase {
  actor: Actor;
  reason: string;
  cause?: Cause;
  occurredAt: string;
}

export interface ChainChange {
  before: ChainState;
  after: ChainState;
  entries: LedgerEntry[];
}

export interface FundChange {
  fund: ChainChange & { book: FundBook };
  people: Map<PersonId, ChainChange>;
}

function onFund(
  state: FundState,
  movements: Movement[],
  book: FundBook,
  now: string,
): { change: ChainChange & { book: FundBook }; entries: LedgerEntry[] } {
  const { entries, state: after } = appendMovements(state.chain, movements, now);
  return { change: { before: state.chain, after, entries, book }, entries };
}

/** Mirrors fund entries that touch a person in that person's chain. */
function mirrored(entries: LedgerEntry[], people: ReadonlyMap<PersonId, ChainState>, now: string): Map<PersonId, ChainChange> {
  const changes = new Map<PersonId, ChainChange>();
  for (const entry of entries) {
    const party = [entry.from, entry.to].find((a) => a.startsWith("person:")) as AccountId | undefined;
    if (!party) continue;
    const personId = party.slice("person:".length) as PersonId;
    const before = changes.get(personId)?.after ?? people.get(personId);
    if (!before) throw new Error(`the chain of ${personId} was not read`);
    const { hash: _h, prevHash: _p, entryId, holder: _holder, seq: _seq, recordedAt: _r, ...movement } = entry;
    const { entries: mirrors, state: after } = appendMovements(before, [{ ...movement, mirrorOf: entryId }], now);
    const change = changes.get(personId);
    changes.set(personId, { before: change?.before ?? before, after, entries: [...(change?.entries ?? []), ...mirrors] });
  }
  return changes;
}

export function depositMovement(fund: Fund, amount: number, base: MovementBase): Movement {
  return {
    ...base,
    kind: "deposit",
    asset: moneyAsset(fund.currency),
    amount,
    from: systemAccount("budget"),
    to: fundAccount(fund.fundId),
  };
}

export function deposit(fund: Fund, state: FundState, amount: number, base: MovementBase, now: string): FundChange {
  const book = { ...state.book, deposited: state.book.deposited + amount };
  const { change } = onFund(state, [depositMovement(fund, amount, base)], book, now);
  return { fund: change, people: new Map() };
}

/**
 * Reserves a claim's amount: refused with the numbers when it is over the per-claim limit, over
 * what is available, or would take a member over the per-person limit.
 */
export function reserve(
  fund: Fund,
  state: FundState,
  claim: Pick<Claim, "claimId" | "amount" | "parts">,
  base: MovementBase,
  now: string,
): FundChange & { reservationEntryId: EntryId } {
  if (claim.amount > fund.limits.perClaim) {
    throw new DomainError(
      "unprocessable",
      "claim-over-limit",
      `A claim on ${fund.fundId} may ask for at most ${fund.limits.perClaim}; this one asks for ${claim.amount}.`,
      { limit: fund.limits.perClaim, requested: claim.amount },
    );
  }
  const available = fundTotals(fund, state).available;
  if (claim.amount > available) {
    throw new DomainError(
      "conflict",
      "fund-insufficient",
      `The fund ${fund.fundId} has ${available} available, ${claim.amount - available} short of the ${claim.amount} requested.`,
      { available, requested: claim.amount, shortfall: claim.amount - available },
    );
  }
  const committed = { ...state.book.committed };
  for (const part of claim.parts) {
    const before = committed[part.personId] ?? 0;
    if (before + part.amount > fund.limits.perPersonInPeriod) {
      throw new DomainError(
        "conflict",
        "person-limit-exceeded",
        `${part.personId} may receive at most ${fund.limits.perPersonInPeriod} from ${fund.fundId} in ${fund.period}; ${before} is already reserved or paid, so ${part.amount} more is too much.`,
        { personId: part.personId, limit: fund.limits.perPersonInPeriod, committed: before, requested: part.amount },
      );
    }
    committed[part.personId] = before + part.amount;
  }
  const pool = fundAccount(fund.fundId);
  const movement: Movement = {
    ...base,
    kind: "reservation",
    asset: moneyAsset(fund.currency),
    amount: claim.amount,
    from: pool,
    to: reservedAccount(pool),
    ref: { claimId: claim.claimId },
  };
  const { change, entries } = onFund(state, [movement], { ...state.book, committed }, now);
  return { fund: change, people: new Map(), reservationEntryId: (entries[0] as LedgerEntry).entryId };
}

type Settling = Pick<Claim, "claimId" | "amount" | "parts" | "reservationEntryId">;

/** Releases a claim's reservation back to the pool's available money. */
export function voidReservation(fund: Fund, state: FundState, claim: Settling, base: MovementBase, now: string): FundChange {
  const pool = fundAccount(fund.fundId);
  const committed = { ...state.book.committed };
  for (const part of claim.parts) committed[part.personId] = (committed[part.personId] ?? 0) - part.amount;
  const movement: Movement = {
    ...base,
    kind: "void",
    asset: moneyAsset(fund.currency),
    amount: claim.amount,
    from: reservedAccount(pool),
    to: pool,
    settles: claim.reservationEntryId,
    ref: { claimId: claim.claimId },
  };
  return { fund: onFund(state, [movement], { ...state.book, committed }, now).change, people: new Map() };
}

/** Posts a claim's reservation as one payout per member, each mirrored in the member's chain. */
export function post(
  fund: Fund,
  state: FundState,
  claim: Settling,
  people: ReadonlyMap<PersonId, ChainState>,
  base: MovementBase,
  now: string,
): FundChange {
  const pool = fundAccount(fund.fundId);
  const ref: EntryRef = { claimId: claim.claimId };
  const movements: Movement[] = claim.parts.map((part) => ({
    ...base,
    kind: "payout",
    asset: moneyAsset(fund.currency),
    amount: part.amount,
    from: reservedAccount(pool),
    to: personAccount(part.personId),
    settles: claim.reservationEntryId,
    ref,
  }));
  const book = { ...state.book, paidOut: state.book.paidOut + claim.amount };
  const { change, entries } = onFund(state, movements, book, now);
  return { fund: change, people: mirrored(entries, people, now) };
}

/** Takes paid money back into the pool's available money: reversals of the payouts, mirrored. */
export function clawback(
  fund: Fund,
  state: FundState,
  claim: Pick<Claim, "claimId">,
  payouts: readonly LedgerEntry[],
  people: ReadonlyMap<PersonId, ChainState>,
  base: MovementBase,
  now: string,
): FundChange {
  const pool = fundAccount(fund.fundId);
  const committed = { ...state.book.committed };
  let total = 0;
  const movements: Movement[] = payouts.map((payout) => {
    const personId = payout.to.slice("person:".length);
    committed[personId] = (committed[personId] ?? 0) - payout.amount;
    total += payout.amount;
    return {
      ...base,
      kind: "reversal",
      asset: payout.asset,
      amount: payout.amount,
      from: payout.to,
      to: pool,
      reverses: payout.entryId,
      ref: { claimId: claim.claimId },
    };
  });
  const book = { ...state.book, clawedBack: state.book.clawedBack + total, committed };
  const { change, entries } = onFund(state, movements, book, now);
  return { fund: change, people: mirrored(entries, people, now) };
}

// ---------------------------------------------------------------------------------------------
// Who may do what with a claim

export interface Team {
  /** Is the person in the claimant's team: their own unit, or a unit they lead, or below. */
  includes(personId: PersonId, orgUnitId: OrgUnitId): boolean;
}

/**
 * Maker-checker: the claimant, the members paid by the claim and anyone in the claimant's team
 * cannot decide on it; an approver decides once.
 */
export function assertMayDecide(claim: Claim, approver: { personId: PersonId; orgUnitId: OrgUnitId } | undefined, team: Team): void {
  const refuse = (reason: string, message: string) => {
    throw new DomainError("forbidden", "maker-checker", message, { reason });
  };
  if (!approver) refuse("approver-unknown", "You are not in the directory, so nobody can check that you are independent of this claim.");
  const { personId, orgUnitId } = approver as { personId: PersonId; orgUnitId: OrgUnitId };
  assertNotSelf("decision", personId, [claim.claimant, ...claim.parts.map((part) => part.personId)], { claimId: claim.claimId });
  if (team.includes(personId, orgUnitId))
    refuse(
      "same-team",
      `You are in the team of ${claim.claimant}, who submitted this claim; an approver from outside the team must decide.`,
    );
  if (claim.decisions.some((d) => d.approverId === personId)) {
    throw new DomainError(
      "conflict",
      "already-approved",
      "You have already approved this claim; a second approval must come from a different approver.",
      { approverId: personId },
    );
  }
}

/**
 * Whether the approver may decide on the claim now, as assertMayDecide would let them: what
 * their queue of claims waiting shows. Their own, their team's and those they approved already
 * wait for somebody else.
 */
export function mayDecide(claim: Claim, approver: { personId: PersonId; orgUnitId: OrgUnitId }, team: Team): boolean {
  const { personId, orgUnitId } = approver;
  return (
    claim.status === "pending" &&
    claim.claimant !== personId &&
    !claim.parts.some((part) => part.personId === personId) &&
    !team.includes(personId, orgUnitId) &&
    !claim.decisions.some((d) => d.approverId === personId)
  );
}

export function assertStatus(claim: Claim, expected: ClaimStatus, code: string): void {
  if (claim.status !== expected) {
    throw new DomainError("conflict", code, `Claim ${claim.claimId} is ${claim.status}, not ${expected}.`, {
      claimId: claim.claimId,
      claimStatus: claim.status,
    });
  }
}
