/**
 * Property tests of the fund: random sequences of deposits, claims, decisions, withdrawals and
 * clawbacks keep deposited = available + reserved + (paid out − clawed back), none negative,
 * and every ledger invariant, first on the pure domain (many runs), then through the API.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClaimPart,
  clawback,
  deposit,
  emptyBook,
  type Fund,
  type FundChange,
  type FundState,
  foldFundTotals,
  fundTotals,
  post,
  reserve,
  splitAmount,
  voidReservation,
} from "../../domain/fund/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import { type EntryId, fundAccount, type PersonId, personAccount } from "../../domain/kernel/model.ts";
import { type ChainState, emptyChain, type LedgerEntry, verifyLedger } from "../../domain/ledger/index.ts";
import { as } from "../support/api.ts";
import { fundBookMatchesEntries, fundLedgerProblems } from "../support/fund-invariants.ts";
import { withDemoOrg } from "../support/org.ts";

const members = ["yang-xue", "huang-tao", "wu-min"] as PersonId[];

const operation = fc.oneof(
  fc.record({ op: fc.constant("deposit" as const), amount: fc.integer({ min: 1, max: 1_000 }) }),
  fc.record({
    op: fc.constant("claim" as const),
    amount: fc.integer({ min: 1, max: 700 }),
    shares: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ op: fc.constantFrom("approve" as const, "reject" as const, "withdraw" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("clawback" as const), pick: fc.nat(), who: fc.subarray(members, { minLength: 1 }) }),
);

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

describe("the fund's pure domain", () => {
  const fund: Fund = {
    fundId: "prop",
    name: "p",
    currency: "CNY",
    period: "2026",
    limits: { perClaim: 600, perPersonInPeriod: 900 },
    twoApprovalsAbove: 1_000,
    createdAt: "2026-01-01T00:00:00Z",
    createdBy: "peng-li" as PersonId,
  };
  const base = { actor: { kind: "person" as const, personId: "peng-li" as PersonId }, reason: "p", occurredAt: "2026-01-01T00:00:00Z" };

  it("keeps the pool's identity, non-negative parts and every ledger invariant after each step", () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 40 }), (operations: Operation[]) => {
        let state: FundState = { chain: emptyChain(fundAccount(fund.fundId)), book: emptyBook() };
        const people = new Map<PersonId, ChainState>(members.map((m) => [m, emptyChain(personAccount(m))]));
        const entries = new Map<string, LedgerEntry[]>();
        type ModelClaim = {
          claimId: string;
          amount: number;
          parts: ClaimPart[];
          reservationEntryId: EntryId;
          status: "pending" | "paid" | "void";
          payouts: LedgerEntry[];
          clawed: Set<string>;
        };
        const claims: ModelClaim[] = [];
        const apply = (change: FundChange) => {
          state = { chain: change.fund.after, book: change.fund.book };
          entries.set(state.chain.holder, [...(entries.get(state.chain.holder) ?? []), ...change.fund.entries]);
          for (const [personId, c] of change.people) {
            people.set(personId, c.after);
            entries.set(c.after.holder, [...(entries.get(c.after.holder) ?? []), ...c.entries]);
          }
          return change;
        };
        const now = "2026-01-01T00:00:00Z";
        for (const [index, o] of operations.entries()) {
          const claim = "pick" in o ? claims[o.pick % Math.max(claims.length, 1)] : undefined;
          try {
            if (o.op === "deposit") apply(deposit(fund, state, o.amount, base, now));
            else if (o.op === "claim") {
              const parts = splitAmount(o.amount, {
                by: "share",
                parts: o.shares.map((share, i) => ({ personId: members[i] as string, share })),
              });
              const claimId = `c${index}`;
              const change = reserve(fund, state, { claimId, amount: o.amount, parts }, base, now);
              apply(change);
              claims.push({
                claimId,
                amount: o.amount,
                parts,
                reservationEntryId: change.reservationEntryId,
                status: "pending",
                payouts: [],
                clawed: new Set(),
              });
            } else if (claim && o.op === "approve" && claim.status === "pending") {
              const change = apply(post(fund, state, claim, people, base, now));
              claim.status = "paid";
              claim.payouts = change.fund.entries;
            } else if (claim && (o.op === "reject" || o.op === "withdraw") && claim.status === "pending") {
              apply(voidReservation(fund, state, claim, base, now));
              claim.status = "void";
            } else if (claim && o.op === "clawback" && claim.status === "paid") {
              const payouts = claim.payouts.filter((p) => o.who.includes(p.to.slice(7) as PersonId) && !claim.clawed.has(p.entryId));
              if (payouts.length > 0) {
                apply(clawback(fund, state, claim, payouts, people, base, now));
                for (const p of payouts) claim.clawed.add(p.entryId);
              }
            }
          } catch (error) {
            // Refusals (over the pool, over a limit, a zero part) change nothing.
            if (!(error instanceof DomainError)) throw error;
            expect(["fund-insufficient", "claim-over-limit", "person-limit-exceeded", "split-part-zero"]).toContain(error.code);
          }
          const t = fundTotals(fund, state);
          expect(t.deposited).toBe(t.available + t.reserved + (t.paidOut - t.clawedBack));
          for (const value of [t.deposited, t.available, t.reserved, t.paidOut, t.clawedBack, t.paidOut - t.clawedBack])
            expect(value).toBeGreaterThanOrEqual(0);
          expect(foldFundTotals(fund, entries.get(state.chain.holder) ?? [])).toEqual(t);
          expect(t.reserved).toBe(claims.filter((c) => c.status === "pending").reduce((sum, c) => sum + c.amount, 0));
          const chains = [state.chain, ...people.values()].map((chain) => ({
            holder: chain.holder,
            entries: entries.get(chain.holder) ?? [],
            projection: chain.seq === 0 ? undefined : chain,
          }));
          expect(verifyLedger(chains)).toEqual([]);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe("the fund through the API", () => {
  it("random sequences of deposits, claims, decisions, withdrawals and clawbacks keep the identity and the ledger", async () => {
    await withDemoOrg();
    const finance = await as("peng-li", "finance");
    const approvers = [await as("jiang-wen", "approver"), await as("deng-hua", "approver")];
    const lead = await as("liu-yang", "manager");
    const fundIds: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 8 }), async (operations: Operation[]) => {
        const fundId = `p-${randomUUID().slice(0, 8)}`;
        fundIds.push(fundId);
        const created = await finance.post("/funds", {
          fundId,
          name: "p",
          currency: "CNY",
          period: "2026",
          limits: { perClaim: 600, perPersonInPeriod: 900 },
          twoApprovalsAbove: 400,
        });
        expect(created.status).toBe(201);
        const claimIds: string[] = [];
        for (const o of operations) {
          const claimId = "pick" in o ? claimIds[o.pick % Math.max(claimIds.length, 1)] : undefined;
          let response: { status: number; body: any } | undefined;
          if (o.op === "deposit") response = await finance.post(`/funds/${fundId}/deposits`, { amount: o.amount, reason: "p" });
          else if (o.op === "claim") {
            response = await lead.post(`/funds/${fundId}/claims`, {
              scenario: "p",
              measuredValue: "p",
              amount: o.amount,
              split: { by: "share", parts: o.shares.map((share, i) => ({ personId: members[i], share })) },
            });
            if (response.status === 201) claimIds.push(response.body.claim.claimId);
          } else if (claimId && (o.op === "approve" || o.op === "reject")) {
            // Both approvers act, one after the other: a two-approval claim is paid after both.
            for (const approver of approvers) {
              response = await approver.post(`/claims/${claimId}/decisions`, { decision: o.op, comment: "p" });
              if (response.status !== 200 || response.body.claim.status !== "pending") break;
            }
          } else if (claimId && o.op === "withdraw") response = await lead.post(`/claims/${claimId}/withdrawal`, { reason: "p" });
          else if (claimId && o.op === "clawback")
            response = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "p", personIds: o.who });
          if (response) expect([200, 201, 409, 422], JSON.stringify(response.body)).toContain(response.status);
        }
        const { book, folded } = await fundBookMatchesEntries(fundId);
        expect(book).toEqual(folded);
        expect(book.deposited).toBe(book.available + book.reserved + (book.paidOut - book.clawedBack));
        for (const value of Object.values(book)) if (typeof value === "number") expect(value).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 8, seed: 11 },
    );
    expect(await fundLedgerProblems(fundIds)).toEqual([]);
  });
});
