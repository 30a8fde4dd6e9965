/** The ledger's extensions for the fund, pure: reserved sub-accounts, mirror postings, settlements, splits. */
import { describe, expect, it } from "vitest";
import { emptyBook, type Fund, type FundState, fundTotals, post, reserve, splitAmount, voidReservation } from "../../domain/fund/index.ts";
import { type EntryId, fundAccount, type PersonId, personAccount } from "../../domain/kernel/model.ts";
import {
  appendMovements,
  emptyChain,
  foldAllAccounts,
  type LedgerEntry,
  type StoredChain,
  verifyLedger,
} from "../../domain/ledger/index.ts";

const fund: Fund = {
  fundId: "f1",
  name: "f",
  currency: "CNY",
  period: "2026",
  limits: { perClaim: 1_000, perPersonInPeriod: 1_000 },
  twoApprovalsAbove: 1_000,
  createdAt: "2026-01-01T00:00:00Z",
  createdBy: "peng-li" as PersonId,
};
const base = { actor: { kind: "person" as const, personId: "peng-li" as PersonId }, reason: "t", occurredAt: "2026-01-01T00:00:00Z" };
const now = "2026-01-01T00:00:00Z";
const a = "a" as PersonId;
const b = "b" as PersonId;

function paidScenario() {
  let state: FundState = { chain: emptyChain(fundAccount("f1")), book: emptyBook() };
  const fundEntries: LedgerEntry[] = [];
  const step = (change: { fund: { after: FundState["chain"]; book: FundState["book"]; entries: LedgerEntry[] } }) => {
    state = { chain: change.fund.after, book: change.fund.book };
    fundEntries.push(...change.fund.entries);
  };
  const deposit = {
    ...base,
    kind: "deposit" as const,
    asset: "money:CNY" as const,
    amount: 500,
    from: "system:budget" as const,
    to: fundAccount("f1"),
  };
  const deposited = appendMovements(state.chain, [deposit], now);
  step({ fund: { after: deposited.state, book: { ...state.book, deposited: 500 }, entries: deposited.entries } });
  const parts = splitAmount(100, {
    by: "share",
    parts: [
      { personId: a, share: 1 },
      { personId: b, share: 1 },
      { personId: "c", share: 1 },
    ],
  });
  const reserved = reserve(fund, state, { claimId: "c1", amount: 100, parts }, base, now);
  step(reserved);
  const people = new Map([a, b, "c" as PersonId].map((p) => [p, emptyChain(personAccount(p))]));
  const posted = post(
    fund,
    state,
    { claimId: "c1", amount: 100, parts, reservationEntryId: reserved.reservationEntryId },
    people,
    base,
    now,
  );
  step(posted);
  const chains: StoredChain[] = [
    { holder: fundAccount("f1"), entries: fundEntries, projection: state.chain },
    ...[...posted.people].map(([, c]) => ({ holder: c.after.holder, entries: c.entries, projection: c.after })),
  ];
  return { state, chains, parts, reservationEntryId: reserved.reservationEntryId, fundEntries };
}

describe("reserved sub-accounts and mirror postings", () => {
  it("a reservation moves available to reserved in the fund's own chain; a payout leaves reserved for the person", () => {
    const { state, parts } = paidScenario();
    expect(parts.map((p) => p.amount)).toEqual([34, 33, 33]);
    expect(fundTotals(fund, state)).toEqual({ currency: "CNY", deposited: 500, reserved: 0, paidOut: 100, clawedBack: 0, available: 400 });
    expect(state.chain.reserved).toBeUndefined();
  });

  it("each transfer counts once when all accounts are summed, and verifyLedger is clean over fund and person chains", () => {
    const { chains } = paidScenario();
    expect(verifyLedger(chains)).toEqual([]);
    const accounts = foldAllAccounts(chains.flatMap((c) => c.entries));
    expect(accounts.get(personAccount(a))?.get("money:CNY")).toBe(34);
    expect(accounts.get("fund:f1:reserved")?.get("money:CNY")).toBe(0);
    expect(accounts.get("system:budget")?.get("money:CNY")).toBe(-500);
    // Person chains alone (mirrors only) and the fund chain alone both sum to zero too.
    expect(verifyLedger(chains.slice(1))).toEqual([]);
    expect(verifyLedger(chains.slice(0, 1))).toEqual([]);
  });

  it("verifyLedger names a missing mirror, a mirror that differs, and a reservation settled twice", () => {
    const { chains, state, parts, reservationEntryId, fundEntries } = paidScenario();
    const [fundChain, first, ...rest] = chains as [StoredChain, StoredChain, ...StoredChain[]];
    // The person's chain without its mirror: the fund's payout has no mirror there.
    const missing = verifyLedger([fundChain, { holder: first.holder, entries: [], projection: undefined }, ...rest]);
    expect(missing.map((p) => p.problem)).toContain(`has 0 mirror postings in ${first.holder}, not 1`);
    // A mirror edited after the fact breaks its hash; a forged one with a new hash differs from its original.
    const forged = { ...(first.entries[0] as LedgerEntry), amount: 99 };
    const forgedChain = appendMovements(emptyChain(first.holder), [{ ...forged }], now);
    const differs = verifyLedger([
      fundChain,
      { holder: first.holder, entries: forgedChain.entries, projection: forgedChain.state },
      ...rest,
    ]);
    expect(differs.some((p) => p.problem.startsWith("mirror of"))).toBe(true);
    // Voiding a reservation that was already posted (while another claim keeps money reserved):
    // the ledger shows it settled twice.
    const other = reserve(fund, state, { claimId: "c2", amount: 100, parts: [{ personId: a, amount: 100 }] }, base, now);
    const afterOther = { chain: other.fund.after, book: other.fund.book };
    const voided = voidReservation(fund, afterOther, { claimId: "c1", amount: 100, parts, reservationEntryId }, base, now);
    const twice = verifyLedger([
      { holder: fundChain.holder, entries: [...fundEntries, ...other.fund.entries, ...voided.fund.entries], projection: voided.fund.after },
    ]);
    expect(twice).toEqual([
      { holder: "fund:f1", entryId: reservationEntryId, problem: "reservation of 100 settled by payout and void for 200" },
    ]);
  });

  it("a reservation can never exceed what is reserved when settled, nor what is available when made", () => {
    const { state, parts } = paidScenario();
    expect(() => reserve(fund, state, { claimId: "c2", amount: 401, parts: [{ personId: a, amount: 401 }] }, base, now)).toThrowError(
      expect.objectContaining({ code: "fund-insufficient", details: { available: 400, requested: 401, shortfall: 1 } }),
    );
    expect(() =>
      voidReservation(fund, state, { claimId: "c1", amount: 100, parts, reservationEntryId: "fund.f1.2" as EntryId }, base, now),
    ).toThrowError(expect.objectContaining({ code: "insufficient-reserved" }));
  });
});

describe("splits", () => {
  it("by share: largest remainder, ties to the earlier member, parts add up exactly", () => {
    const by = (amount: number, shares: number[]) =>
      splitAmount(amount, { by: "share", parts: shares.map((share, i) => ({ personId: `p${i}`, share })) }).map((p) => p.amount);
    expect(by(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(by(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(by(11, [1, 1, 1])).toEqual([4, 4, 3]);
    expect(by(100, [1, 2])).toEqual([33, 67]);
    expect(by(7, [3, 3, 1])).toEqual([3, 3, 1]);
    for (const [amount, shares] of [
      [1_000_000_000, [3, 7, 11, 13]],
      [12_345, [1, 1, 1, 1, 1, 1, 1]],
    ] as const) {
      expect(by(amount, [...shares]).reduce((s, n) => s + n, 0)).toBe(amount);
    }
  });

  it("by amount: the parts must add up; a part of zero is refused", () => {
    expect(() => splitAmount(10, { by: "amount", parts: [{ personId: "a", amount: 4 }] })).toThrowError(
      expect.objectContaining({ code: "split-does-not-add-up", details: { amount: 10, sum: 4 } }),
    );
    expect(() =>
      splitAmount(1, {
        by: "share",
        parts: [
          { personId: "a", share: 1 },
          { personId: "b", share: 1 },
        ],
      }),
    ).toThrowError(expect.objectContaining({ code: "split-part-zero" }));
  });
});
