/**
 * The fund's use cases: pools, deposits, claims, decisions, withdrawals, clawbacks and reads.
 * Each write reads what it needs once, decides with the pure functions of fund.ts, and commits
 * entries (fund chain and people's chains), chain heads, the claim, its history step, the
 * settlement marker and the idempotency record in one atomic append; losing a race re-reads.
 */

import { assertActive, assertRole, type Caller, canRead, type OrgTree, type Person } from "../directory/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import { assertNotSelf } from "../kernel/duties.ts";
import { ContentionError, DomainError, ForbiddenError, NotFoundError } from "../kernel/errors.ts";
import { type EntryId, fundAccount, type OrgUnitId, type PersonId, personAccount } from "../kernel/model.ts";
import type { Clock, Page } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import type { Cause, ChainAppend, HoldBook, IdempotencyRef, LedgerStore, OnceRecord, Outcome, PersonSnapshot } from "../ledger/index.ts";
import { type ChainState, emptyChain, emptyRuleState, type LedgerEntry, refusalsChecked, refuseHeld, replayOf } from "../ledger/index.ts";
import {
  assertMayDecide,
  assertStatus,
  type Claim,
  type ClaimAction,
  type ClaimStep,
  clawback,
  deposit,
  emptyBook,
  type Fund,
  type FundBook,
  type FundChange,
  type FundTotals,
  fundTotals,
  type MovementBase,
  mayDecide,
  post,
  reserve,
  splitAmount,
  voidReservation,
} from "./fund.ts";
import type { ClaimSnapshot, FundSnapshot, FundStore } from "./ports.ts";
import type { ClaimRequest, ClawbackRequest, DecisionRequest, DepositRequest, FundInput, WithdrawalRequest } from "./schemas.ts";

export interface FundDeps {
  store: FundStore;
  ledger: LedgerStore;
  orgTree: () => Promise<OrgTree>;
  person: (personId: PersonId) => Promise<Person | undefined>;
  clock: Clock;
  newId: () => string;
  retry?: RetryPolicy;
  /** People an open review holds (the integrity hold policy, when a stage turns it on): no payout to them meanwhile. */
  holds?: HoldBook | undefined;
}

/** Many claims race for one pool's head: a few more attempts than a person's writes get. */
export const fundRetryPolicy: RetryPolicy = { attempts: 12, baseDelayMs: 10, maxDelayMs: 500 };

export interface FundView {
  fund: Fund;
  totals: FundTotals;
  /** The pool's entries, newest first (finance, approvers and admins). */
  entries?: LedgerEntry[];
  cursor?: string | null;
}

export interface ClaimView {
  claim: Claim;
  history?: ClaimStep[];
}

const managersOfMoney = ["finance", "approver", "admin"] as const;
/** Pages of the waiting list one request reads at most to fill an approver's page: a busy team's claims are skipped, not read without end. */
const waitingPagesPerRequest = 10;

export class FundService {
  readonly #deps: FundDeps;

  constructor(deps: FundDeps) {
    this.#deps = deps;
  }

  async createFund(caller: Caller, input: FundInput): Promise<FundView> {
    assertRole(caller, ["finance"]);
    const { description, ...rest } = input;
    const fund: Fund = {
      ...rest,
      ...(description ? { description } : {}),
      createdAt: this.#deps.clock.now().toISOString(),
      createdBy: caller.personId,
    };
    if (!(await this.#deps.store.createFund(fund))) {
      throw new DomainError("conflict", "fund-exists", `A fund with id "${fund.fundId}" already exists; funds are never replaced.`, {
        fundId: fund.fundId,
      });
    }
    return { fund, totals: fundTotals(fund, { chain: emptyChainOf(fund), book: emptyBook() }) };
  }

  async funds(_caller: Caller): Promise<FundView[]> {
    const funds = await this.#deps.store.listFunds();
    const snapshots = await Promise.all(funds.map((f) => this.#deps.store.readFund(f.fundId)));
    return snapshots.flatMap((s) => (s.fund ? [{ fund: s.fund, totals: fundTotals(s.fund, s.state) }] : []));
  }

  async fund(caller: Caller, fundId: string, limit: number, cursor?: string): Promise<FundView> {
    const snapshot = await this.#deps.store.readFund(fundId);
    const fund = this.#exists(snapshot, fundId);
    const view: FundView = { fund, totals: fundTotals(fund, snapshot.state) };
    if (caller.roles.some((role) => (managersOfMoney as readonly string[]).includes(role))) {
      const page = await this.#deps.ledger.readHistory(fundAccount(fundId), limit, cursor);
      view.entries = page.items;
      view.cursor = page.cursor ?? null;
    }
    return view;
  }

  deposit(caller: Caller, fundId: string, request: DepositRequest, idempotencyKey: string): Promise<Outcome<unknown>> {
    assertRole(caller, ["finance"]);
    const ref = { scope: `fund-deposits#${fundId}`, key: idempotencyKey };
    const expected = fingerprint({ ref, request });
    return this.#retry(ref, expected, async () => {
      const snapshot = await this.#deps.store.readFund(fundId, ref);
      const replay = replayOf(snapshot.idempotency, expected, idempotencyKey);
      if (replay) return replay;
      const fund = this.#exists(snapshot, fundId);
      const now = this.#now();
      const base = { actor: actorOf(caller), reason: request.reason, occurredAt: request.occurredAt ?? now };
      const change = deposit(fund, snapshot.state, request.amount, base, now);
      const result = { entries: change.fund.entries, totals: fundTotals(fund, { chain: change.fund.after, book: change.fund.book }) };
      await this.#append(fund, snapshot, change, new Map(), [idempotencyOf(ref, expected, result, now)]);
      return { result, replayed: false };
    });
  }

  submitClaim(caller: Caller, fundId: string, request: ClaimRequest, idempotencyKey: string): Promise<Outcome<ClaimView>> {
    assertRole(caller, ["manager"]);
    const ref = { scope: `fund-claims#${caller.personId}`, key: idempotencyKey };
    const expected = fingerprint({ fundId, request });
    const claimId = this.#deps.newId();
    return this.#retry(ref, expected, async () => {
      const [snapshot, tree] = await Promise.all([this.#deps.store.readFund(fundId, ref), this.#deps.orgTree()]);
      const replay = replayOf(snapshot.idempotency, expected, idempotencyKey);
      if (replay) return replay as Outcome<ClaimView>;
      const fund = this.#exists(snapshot, fundId);
      const claimant = await this.#deps.person(caller.personId);
      if (!claimant) {
        throw new DomainError(
          "unprocessable",
          "claimant-unknown",
          `You (${caller.personId}) are not in the directory, so you have no team.`,
        );
      }
      assertActive(claimant);
      const parts = splitAmount(request.amount, request.split);
      const members = await Promise.all(parts.map((p) => this.#deps.person(p.personId)));
      for (const [index, part] of parts.entries()) {
        const member = members[index];
        if (!member) {
          throw new DomainError("unprocessable", "split-member-unknown", `No person with id "${part.personId}" to pay.`, {
            personId: part.personId,
          });
        }
        assertActive(member);
        if (member.personId !== claimant.personId && !tree.leads(claimant.personId, member.orgUnitId)) {
          throw new DomainError(
            "unprocessable",
            "split-member-not-in-team",
            `${part.personId} is not in a team you lead; a claim pays only you and your own team.`,
            { personId: part.personId },
          );
        }
      }
      const now = this.#now();
      const base = this.#base(caller, `申领 ${claimId}: ${request.scenario}`.slice(0, 500), now, {
        code: "fund-claim",
        params: { claimId, scenario: request.scenario },
      });
      const change = reserve(fund, snapshot.state, { claimId, amount: request.amount, parts }, base, now);
      const claim: Claim = {
        claimId,
        fundId,
        claimant: claimant.personId,
        claimantUnit: claimant.orgUnitId,
        scenario: request.scenario,
        measuredValue: request.measuredValue,
        evidence: request.evidence,
        currency: fund.currency,
        amount: request.amount,
        splitBy: request.split.by,
        parts,
        requiredApprovals: request.amount > fund.twoApprovalsAbove ? 2 : 1,
        decisions: [],
        status: "pending",
        reservationEntryId: change.reservationEntryId,
        settlementEntryIds: [],
        clawedBack: 0,
        createdAt: now,
        updatedAt: now,
        version: 1,
        steps: 1,
      };
      const step = stepOf(claim, caller, "submitted", now, { amount: claim.amount, entryIds: [change.reservationEntryId] });
      const result: ClaimView = { claim, history: [step] };
      await this.#append(fund, snapshot, change, new Map(), [idempotencyOf(ref, expected, result, now), stepRecord(step)], claim);
      return { result, replayed: false };
    });
  }

  decide(caller: Caller, claimId: string, request: DecisionRequest, idempotencyKey: string): Promise<Outcome<ClaimView>> {
    assertRole(caller, ["approver"]);
    const ref = { scope: `claim-decisions#${caller.personId}`, key: idempotencyKey };
    const expected = fingerprint({ claimId, request });
    return this.#retry(ref, expected, async () => {
      const [found, tree, approver] = await Promise.all([
        this.#deps.store.readClaim(claimId, ref),
        this.#deps.orgTree(),
        this.#deps.person(caller.personId),
      ]);
      const replay = replayOf(found.idempotency, expected, idempotencyKey);
      if (replay) return replay as Outcome<ClaimView>;
      const claim = this.#claimExists(found, claimId);
      assertStatus(claim, "pending", "claim-not-pending");
      assertMayDecide(claim, approver, teamOf(claim, tree));
      const now = this.#now();
      const decision = { approverId: caller.personId, decision: request.decision, comment: request.comment, at: now };
      const decided: Claim = { ...claim, decisions: [...claim.decisions, decision], updatedAt: now, version: claim.version + 1 };
      const idem = (result: ClaimView) => idempotencyOf(ref, expected, result, now);
      if (request.decision === "reject") {
        return this.#settle(decided, caller, "rejected", "rejected", request.comment, now, idem);
      }
      const approvals = decided.decisions.filter((d) => d.decision === "approve").length;
      if (approvals < claim.requiredApprovals) {
        // The first of two approvals: recorded on the claim and in its history; no money moves.
        const next: Claim = { ...decided, steps: claim.steps + 1 };
        const step = stepOf(next, caller, "approved", now, { comment: request.comment });
        const result: ClaimView = { claim: next };
        await this.#deps.ledger.append({
          chains: [],
          records: [idem(result), stepRecord(step)],
          documents: [documentOf(next)],
        });
        return { result, replayed: false };
      }
      // The claim stays pending: an approver approves it again once the review is decided.
      await refuseHeld(
        this.#deps.holds,
        claim.parts.map((p) => p.personId),
        "This claim's payout",
      );
      return this.#settle(decided, caller, "paid", "posted", request.comment, now, idem);
    });
  }

  withdraw(caller: Caller, claimId: string, request: WithdrawalRequest, idempotencyKey: string): Promise<Outcome<ClaimView>> {
    assertRole(caller, ["manager"]);
    const ref = { scope: `claim-withdrawals#${caller.personId}`, key: idempotencyKey };
    const expected = fingerprint({ claimId, request });
    return this.#retry(ref, expected, async () => {
      const found = await this.#deps.store.readClaim(claimId, ref);
      const replay = replayOf(found.idempotency, expected, idempotencyKey);
      if (replay) return replay as Outcome<ClaimView>;
      const claim = this.#claimExists(found, claimId);
      if (claim.claimant !== caller.personId) {
        throw new DomainError("forbidden", "not-your-claim", `Only ${claim.claimant}, who submitted claim ${claimId}, may withdraw it.`);
      }
      assertStatus(claim, "pending", "claim-not-pending");
      const now = this.#now();
      const next: Claim = { ...claim, updatedAt: now, version: claim.version + 1 };
      return this.#settle(next, caller, "withdrawn", "withdrawn", request.reason, now, (result) =>
        idempotencyOf(ref, expected, result, now),
      );
    });
  }

  clawback(caller: Caller, claimId: string, request: ClawbackRequest, idempotencyKey: string): Promise<Outcome<ClaimView>> {
    assertRole(caller, ["finance"]);
    const ref = { scope: `claim-clawbacks#${claimId}`, key: idempotencyKey };
    const expected = fingerprint({ claimId, request });
    return this.#retry(ref, expected, async () => {
      const found = await this.#deps.store.readClaim(claimId, ref);
      const replay = replayOf(found.idempotency, expected, idempotencyKey);
      if (replay) return replay as Outcome<ClaimView>;
      const claim = this.#claimExists(found, claimId);
      assertNotSelf("clawback", caller.personId, [claim.claimant, ...claim.parts.map((p) => p.personId)], { claimId });
      assertStatus(claim, "paid", "claim-not-paid");
      for (const personId of request.personIds ?? []) {
        if (!claim.parts.some((p) => p.personId === personId)) {
          throw new DomainError("unprocessable", "clawback-member-unknown", `${personId} was not paid by claim ${claimId}.`, { personId });
        }
      }
      const wanted = claim.parts.filter((p) => !request.personIds || request.personIds.includes(p.personId));
      const already = wanted.filter((p) => p.clawbackEntryId);
      if (already.length > 0) {
        throw new DomainError(
          "conflict",
          "already-clawed-back",
          `The payout to ${already.map((p) => p.personId).join(", ")} was already clawed back.`,
          { personIds: already.map((p) => p.personId), clawbackEntryIds: already.map((p) => p.clawbackEntryId) },
        );
      }
      const [snapshot, payouts, people] = await Promise.all([
        this.#deps.store.readFund(claim.fundId),
        this.#deps.ledger.readEntries(wanted.map((p) => p.payoutEntryId as EntryId)),
        this.#people(wanted.map((p) => p.personId)),
      ]);
      const fund = this.#exists(snapshot, claim.fundId);
      const payoutEntries = wanted.map((p) => payouts.get(p.payoutEntryId as EntryId)?.entry as LedgerEntry);
      const now = this.#now();
      const base = this.#base(caller, request.reason, now, {
        code: "fund-clawback",
        params: { claimId, scenario: claim.scenario },
      });
      const change = staleAsContention(() => clawback(fund, snapshot.state, claim, payoutEntries, chainsOf(people), base, now));
      const byPerson = new Map(change.fund.entries.map((e) => [e.from, e.entryId]));
      const parts = claim.parts.map((p) => {
        const entryId = byPerson.get(personAccount(p.personId));
        return entryId ? { ...p, clawbackEntryId: entryId } : p;
      });
      const amount = change.fund.entries.reduce((sum, e) => sum + e.amount, 0);
      const next: Claim = {
        ...claim,
        parts,
        clawedBack: claim.clawedBack + amount,
        updatedAt: now,
        version: claim.version + 1,
        steps: claim.steps + 1,
      };
      const step = stepOf(next, caller, "clawed-back", now, {
        comment: request.reason,
        amount,
        entryIds: change.fund.entries.map((e) => e.entryId),
      });
      const result: ClaimView = { claim: next };
      const markers: OnceRecord[] = change.fund.entries.map((e) => ({
        kind: "reversal",
        entryId: e.reverses as EntryId,
        reversedBy: e.entryId,
        recordedAt: now,
      }));
      await this.#append(fund, snapshot, change, people, [idempotencyOf(ref, expected, result, now), stepRecord(step), ...markers], next);
      return { result, replayed: false };
    });
  }

  async claim(caller: Caller, claimId: string): Promise<ClaimView> {
    const [found, tree, history] = await Promise.all([
      this.#deps.store.readClaim(claimId),
      this.#deps.orgTree(),
      this.#deps.store.claimHistory(claimId),
    ]);
    const claim = found.claim;
    const readable =
      claim &&
      (caller.roles.some((role) => (managersOfMoney as readonly string[]).includes(role)) ||
        claim.claimant === caller.personId ||
        claim.parts.some((p) => p.personId === caller.personId) ||
        (caller.roles.includes("manager") && tree.leads(caller.personId, claim.claimantUnit)));
    if (!readable) {
      if (!claim && caller.roles.some((role) => (managersOfMoney as readonly string[]).includes(role)))
        throw new NotFoundError("claim", claimId);
      throw new ForbiddenError(
        `You may read the claims you submitted, are paid by, or that your teams submitted; ${claimId} is not among them.`,
      );
    }
    return { claim, history };
  }

  /**
   * The claims waiting for this approver's decision, oldest first: pending, not their own, not
   * paying them, not their team's, not approved by them already (maker-checker, as decide checks).
   */
  async claimsWaiting(
    caller: Caller,
    personId: PersonId,
    limit: number,
    cursor?: string,
  ): Promise<{ claims: Claim[]; cursor: string | null }> {
    if (caller.personId !== personId) {
      throw new ForbiddenError(`You may read the claims waiting for your own decision; ${personId}'s queue is theirs.`);
    }
    assertRole(caller, ["approver"]);
    const [tree, approver] = await Promise.all([this.#deps.orgTree(), this.#deps.person(personId)]);
    const claims: Claim[] = [];
    let next = cursor;
    for (let page = 0; page < waitingPagesPerRequest; page += 1) {
      const waiting = await this.#deps.store.waitingClaims(limit - claims.length, next);
      if (approver) claims.push(...waiting.items.filter((claim) => mayDecide(claim, approver, teamOf(claim, tree))));
      next = waiting.cursor;
      if (!next || claims.length >= limit) break;
    }
    return { claims, cursor: next ?? null };
  }

  /** A person's claims and the payouts (and clawbacks) they received. */
  async personFund(caller: Caller, personId: PersonId) {
    const [person, tree] = await Promise.all([this.#deps.person(personId), this.#deps.orgTree()]);
    const allowed = person && (caller.roles.includes("finance") || canRead(caller, person, tree));
    if (!allowed) {
      throw new ForbiddenError(`You may read your own claims and payouts and those of the teams you lead; ${personId} is not among them.`);
    }
    const [claims, snapshot] = await Promise.all([this.#deps.store.claimsOf(personId), this.#deps.ledger.readPerson(personId)]);
    const payouts: LedgerEntry[] = [];
    for await (const entry of this.#deps.ledger.readChain(personAccount(personId)))
      if (entry.asset.startsWith("money:")) payouts.unshift(entry);
    const received = Object.fromEntries(
      Object.entries(snapshot.chain.balances)
        .filter(([asset]) => asset.startsWith("money:"))
        .map(([asset, n]) => [asset.slice(6), n]),
    );
    return { personId, received, claims: claims.sort((a, b) => b.createdAt.localeCompare(a.createdAt)), payouts };
  }

  /** Posts or voids a pending claim's reservation, once: the settlement marker and the versions see to that. */
  async #settle(
    claim: Claim,
    caller: Caller,
    status: "paid" | "rejected" | "withdrawn",
    action: ClaimAction,
    comment: string,
    now: string,
    idempotency: (result: ClaimView) => OnceRecord,
  ): Promise<Outcome<ClaimView>> {
    const [snapshot, people] = await Promise.all([
      this.#deps.store.readFund(claim.fundId),
      status === "paid" ? this.#people(claim.parts.map((p) => p.personId)) : Promise.resolve(new Map<PersonId, PersonSnapshot>()),
    ]);
    const fund = this.#exists(snapshot, claim.fundId);
    const base = this.#base(caller, `${action} ${claim.claimId}: ${comment}`.slice(0, 500), now, {
      code: status === "paid" ? "fund-payout" : "fund-void",
      params: { claimId: claim.claimId, scenario: claim.scenario },
    });
    const change = staleAsContention(() =>
      status === "paid"
        ? post(fund, snapshot.state, claim, chainsOf(people), base, now)
        : voidReservation(fund, snapshot.state, claim, base, now),
    );
    const entryIds = change.fund.entries.map((e) => e.entryId);
    const payoutOf = new Map(change.fund.entries.map((e) => [e.to, e.entryId]));
    const next: Claim = {
      ...claim,
      status,
      settlementEntryIds: entryIds,
      parts:
        status === "paid"
          ? claim.parts.map((p) => ({ ...p, payoutEntryId: payoutOf.get(personAccount(p.personId)) as EntryId }))
          : claim.parts,
      steps: claim.steps + 1,
    };
    const step = stepOf(next, caller, action, now, { comment, amount: claim.amount, entryIds });
    const result: ClaimView = { claim: next };
    const settlement: OnceRecord = {
      kind: "settlement",
      claimId: claim.claimId,
      outcome: status === "paid" ? "posted" : "voided",
      entryIds,
      recordedAt: now,
    };
    await this.#append(fund, snapshot, change, people, [idempotency(result), stepRecord(step), settlement], next);
    return { result, replayed: false };
  }

  #append(
    fund: Fund,
    snapshot: FundSnapshot,
    change: FundChange,
    people: ReadonlyMap<PersonId, PersonSnapshot>,
    records: OnceRecord[],
    claim?: Claim,
  ): Promise<void> {
    const chains: ChainAppend[] = [
      {
        before: change.fund.before,
        after: change.fund.after,
        entries: change.fund.entries,
        ruleState: emptyRuleState(),
        headVersion: snapshot.headVersion,
        attributes: { fundId: fund.fundId, book: change.fund.book satisfies FundBook },
      },
      ...[...change.people].map(([personId, c]) => {
        const person = people.get(personId) as PersonSnapshot;
        return { before: c.before, after: c.after, entries: c.entries, ruleState: person.ruleState, headVersion: person.headVersion };
      }),
    ];
    return this.#deps.ledger.append({ chains, records, documents: claim ? [documentOf(claim)] : [] });
  }

  async #people(personIds: readonly PersonId[]): Promise<Map<PersonId, PersonSnapshot>> {
    const snapshots = await Promise.all(personIds.map((id) => this.#deps.ledger.readPerson(id)));
    return new Map(personIds.map((id, index) => [id, snapshots[index] as PersonSnapshot]));
  }

  #exists(snapshot: FundSnapshot, fundId: string): Fund {
    if (!snapshot.fund) throw new NotFoundError("fund", fundId);
    return snapshot.fund;
  }

  #claimExists(snapshot: ClaimSnapshot, claimId: string): Claim {
    if (!snapshot.claim) throw new NotFoundError("claim", claimId);
    return snapshot.claim;
  }

  #now(): string {
    return this.#deps.clock.now().toISOString();
  }

  #base(caller: Caller, reason: string, now: string, cause: Cause): MovementBase {
    return { actor: actorOf(caller), reason, cause, occurredAt: now };
  }

  /** An idempotent write's tries, until one is not refused by contention; its refusals checked against the key's record. */
  #retry<T>(ref: IdempotencyRef, expected: string, attempt: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    const record = () => this.#deps.store.readIdempotency(ref);
    return retryOnContention(() => refusalsChecked(attempt, record, expected, ref.key), this.#deps.retry ?? fundRetryPolicy);
  }
}

/**
 * The claim is read before the pool and the people: if another decision settled it in between,
 * the pool no longer holds its reservation (or a member no longer holds a payout). That is a
 * lost race, not a refusal: read the claim again (and find it settled).
 */
function staleAsContention<T>(decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    if (error instanceof DomainError && (error.code === "insufficient-reserved" || error.code === "insufficient-balance")) {
      throw new ContentionError("the claim changed while its pool was read", { cause: error });
    }
    throw error;
  }
}

const actorOf = (caller: Caller) => ({ kind: "person" as const, personId: caller.personId });

const emptyChainOf = (fund: Fund): ChainState => emptyChain(fundAccount(fund.fundId));

const chainsOf = (people: ReadonlyMap<PersonId, PersonSnapshot>) => new Map([...people].map(([id, s]) => [id, s.chain]));

/** The claimant's team: their own unit, and every unit they lead, with everything below. */
export function teamOf(claim: Pick<Claim, "claimant" | "claimantUnit">, tree: OrgTree) {
  return {
    includes: (_personId: PersonId, orgUnitId: OrgUnitId) => orgUnitId === claim.claimantUnit || tree.leads(claim.claimant, orgUnitId),
  };
}

function stepOf(claim: Claim, caller: Caller, action: ClaimAction, at: string, extra: Partial<ClaimStep>): ClaimStep {
  return { claimId: claim.claimId, step: claim.steps, at, actor: caller.personId, action, status: claim.status, ...extra };
}

const stepRecord = (step: ClaimStep): OnceRecord => ({
  kind: "claim-step",
  claimId: step.claimId,
  step: step.step,
  body: { ...step },
});

const documentOf = (claim: Claim) => ({
  kind: "claim" as const,
  id: claim.claimId,
  owner: claim.claimant,
  version: claim.version,
  body: { ...claim },
});

function idempotencyOf(ref: IdempotencyRef, fingerprintOf: string, result: unknown, now: string): OnceRecord {
  return { kind: "idempotency", record: { ...ref, fingerprint: fingerprintOf, result, recordedAt: now } };
}

export type { Page };
