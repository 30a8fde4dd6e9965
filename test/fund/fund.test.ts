import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { as, type Client } from "../support/api.ts";
import { fundBookMatchesEntries, fundLedgerProblems } from "../support/fund-invariants.ts";
import { withDemoOrg } from "../support/org.ts";

let admin: Client;
let finance: Client;
let approver: Client;
let approver2: Client;
/** 刘洋 leads 华东门店组 (store-east): 杨雪, 黄涛, 吴敏. */
let lead: Client;
const funds: string[] = [];

beforeAll(async () => {
  admin = await withDemoOrg();
  finance = await as("peng-li", "finance");
  approver = await as("jiang-wen", "approver", "manager");
  approver2 = await as("deng-hua", "approver");
  lead = await as("liu-yang", "manager");
});

async function newFund(options: { deposit?: number; perClaim?: number; perPerson?: number; twoApprovalsAbove?: number } = {}) {
  const fundId = `f-${randomUUID().slice(0, 8)}`;
  const created = await finance.post("/funds", {
    fundId,
    name: "2026 数字化创新基金",
    currency: "CNY",
    period: "2026",
    limits: { perClaim: options.perClaim ?? 1_000_000, perPersonInPeriod: options.perPerson ?? 1_000_000 },
    twoApprovalsAbove: options.twoApprovalsAbove ?? 500_000,
  });
  expect(created.status).toBe(201);
  funds.push(fundId);
  if (options.deposit) {
    const deposit = await finance.post(`/funds/${fundId}/deposits`, { amount: options.deposit, reason: "2026 年度预算拨付" });
    expect(deposit.status).toBe(201);
  }
  return fundId;
}

const claimBody = (amount: number, split?: unknown) => ({
  scenario: "库存预警模型上线",
  measuredValue: "缺货率下降 30%，节约 210 万元",
  evidence: ["https://bi.tianma.example/reports/stockout-2026"],
  amount,
  split: split ?? { by: "amount", parts: [{ personId: "yang-xue", amount }] },
});

const totals = async (fundId: string) => (await finance.get(`/funds/${fundId}`)).body.totals;
const moneyOf = async (personId: string) => (await admin.get(`/people/${personId}/fund`)).body.received.CNY ?? 0;

async function submit(fundId: string, amount: number, split?: unknown, client = lead) {
  const response = await client.post(`/funds/${fundId}/claims`, claimBody(amount, split));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.claim.claimId as string;
}

describe("fund pools", () => {
  it("finance creates a pool and deposits; the pool shows its totals and ledger", async () => {
    const fundId = await newFund();
    const key = { "idempotency-key": randomUUID() };
    const deposit = await finance.post(`/funds/${fundId}/deposits`, { amount: 50_000_000, reason: "2026 年度预算拨付" }, key);
    expect(deposit.status).toBe(201);
    expect(deposit.body.entries[0]).toMatchObject({
      kind: "deposit",
      asset: "money:CNY",
      from: "system:budget",
      to: `fund:${fundId}`,
      entryId: `fund.${fundId}.1`,
    });
    const replay = await finance.post(`/funds/${fundId}/deposits`, { amount: 50_000_000, reason: "2026 年度预算拨付" }, key);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    const view = await finance.get(`/funds/${fundId}`);
    expect(view.body.totals).toEqual({
      currency: "CNY",
      deposited: 50_000_000,
      reserved: 0,
      paidOut: 0,
      clawedBack: 0,
      available: 50_000_000,
    });
    expect(view.body.entries).toHaveLength(1);
    // A manager sees the totals, not the pool's ledger.
    const asManager = await lead.get(`/funds/${fundId}`);
    expect(asManager.status).toBe(200);
    expect(asManager.body.entries).toBeUndefined();
    expect((await lead.get("/funds")).body.funds.some((f: { fund: { fundId: string } }) => f.fund.fundId === fundId)).toBe(true);
  });

  it("refuses: a pool by a non-finance caller (403), the same pool twice (409), a deposit to no pool (404), a bad body (400)", async () => {
    const fundId = await newFund();
    const notFinance = await lead.post("/funds", {
      fundId: "x",
      name: "x",
      currency: "CNY",
      period: "2026",
      limits: { perClaim: 1, perPersonInPeriod: 1 },
      twoApprovalsAbove: 0,
    });
    expect([notFinance.status, notFinance.body.code]).toEqual([403, "forbidden"]);
    const twice = await finance.post("/funds", {
      fundId,
      name: "again",
      currency: "CNY",
      period: "2026",
      limits: { perClaim: 1, perPersonInPeriod: 1 },
      twoApprovalsAbove: 0,
    });
    expect([twice.status, twice.body.code]).toEqual([409, "fund-exists"]);
    expect(twice.body.detail).toContain(fundId);
    const nowhere = await finance.post("/funds/no-such-fund/deposits", { amount: 1, reason: "x" });
    expect([nowhere.status, nowhere.body.code]).toEqual([404, "fund-not-found"]);
    const bad = await finance.post("/funds", {
      fundId: "y",
      name: "y",
      currency: "yuan",
      period: "2026-13",
      limits: {},
      twoApprovalsAbove: -1,
    });
    expect([bad.status, bad.body.code]).toEqual([400, "validation-failed"]);
    expect(bad.body.invalidFields.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining(["body.currency", "body.period", "body.limits.perClaim", "body.twoApprovalsAbove"]),
    );
    const managerDeposit = await lead.post(`/funds/${fundId}/deposits`, { amount: 1, reason: "x" });
    expect([managerDeposit.status, managerDeposit.body.code]).toEqual([403, "forbidden"]);
  });
});

describe("claims and reservations", () => {
  it("a claim reserves its amount and is in the claim's history", async () => {
    const fundId = await newFund({ deposit: 1_000_000 });
    const claim = await lead.post(`/funds/${fundId}/claims`, claimBody(300_000));
    expect(claim.status).toBe(201);
    expect(claim.body.claim).toMatchObject({ status: "pending", amount: 300_000, requiredApprovals: 1, claimant: "liu-yang" });
    expect(await totals(fundId)).toMatchObject({ deposited: 1_000_000, reserved: 300_000, available: 700_000 });
    const read = await lead.get(`/claims/${claim.body.claim.claimId}`);
    expect(read.status).toBe(200);
    expect(read.body.history).toEqual([expect.objectContaining({ step: 1, action: "submitted", status: "pending", amount: 300_000 })]);
    // The claimant's own view lists it.
    const mine = await lead.get("/people/liu-yang/fund");
    expect(mine.body.claims.map((c: { claimId: string }) => c.claimId)).toContain(claim.body.claim.claimId);
  });

  it("over-reservation is refused with the numbers, and reserves nothing", async () => {
    const fundId = await newFund({ deposit: 100_000 });
    await submit(fundId, 60_000);
    const over = await lead.post(`/funds/${fundId}/claims`, claimBody(50_000));
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: "fund-insufficient", available: 40_000, requested: 50_000, shortfall: 10_000 });
    expect(over.body.detail).toBe(`The fund ${fundId} has 40000 available, 10000 short of the 50000 requested.`);
    expect(await totals(fundId)).toMatchObject({ reserved: 60_000, available: 40_000 });
  });

  it("limits: over the per-claim limit is a 422, over the per-person limit a 409, both with the numbers", async () => {
    const fundId = await newFund({ deposit: 1_000_000, perClaim: 200_000, perPerson: 150_000 });
    const perClaim = await lead.post(`/funds/${fundId}/claims`, claimBody(250_000));
    expect(perClaim.status).toBe(422);
    expect(perClaim.body).toMatchObject({ code: "claim-over-limit", limit: 200_000, requested: 250_000 });
    await submit(fundId, 100_000);
    const perPerson = await lead.post(`/funds/${fundId}/claims`, claimBody(60_000));
    expect(perPerson.status).toBe(409);
    expect(perPerson.body).toMatchObject({
      code: "person-limit-exceeded",
      personId: "yang-xue",
      limit: 150_000,
      committed: 100_000,
      requested: 60_000,
    });
  });

  it("20 concurrent claims against a pool with room for 5 leave exactly 5 reserved and the pool at zero", async () => {
    const fundId = await newFund({ deposit: 50_000 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => lead.post(`/funds/${fundId}/claims`, claimBody(10_000))));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(15);
    expect(refused.every((r) => r.status === 409 && r.body.code === "fund-insufficient")).toBe(true);
    expect(await totals(fundId)).toMatchObject({ deposited: 50_000, reserved: 50_000, available: 0 });
    expect(await fundBookMatchesEntries(fundId)).toSatisfy(({ book, folded }) => JSON.stringify(book) === JSON.stringify(folded));
  });

  it("split by share rounds by largest remainder: 100 fen into 3 is 34/33/33, and the payouts add up", async () => {
    const fundId = await newFund({ deposit: 1_000 });
    const split = { by: "share", parts: ["huang-tao", "wu-min", "yang-xue"].map((personId) => ({ personId, share: 1 })) };
    const response = await lead.post(`/funds/${fundId}/claims`, claimBody(100, split));
    expect(response.status).toBe(201);
    expect(response.body.claim.parts.map((p: { personId: string; amount: number }) => [p.personId, p.amount])).toEqual([
      ["huang-tao", 34],
      ["wu-min", 33],
      ["yang-xue", 33],
    ]);
    const uneven = await lead.post(
      `/funds/${fundId}/claims`,
      claimBody(101, {
        by: "share",
        parts: [
          { personId: "huang-tao", share: 2 },
          { personId: "wu-min", share: 1 },
          { personId: "liu-yang", share: 1 },
        ],
      }),
    );
    expect(uneven.body.claim.parts.map((p: { amount: number }) => p.amount)).toEqual([51, 25, 25]);
    const before = await moneyOf("wu-min");
    const decided = await approver.post(`/claims/${response.body.claim.claimId}/decisions`, { decision: "approve", comment: "价值清晰" });
    expect(decided.status).toBe(200);
    expect(decided.body.claim.status).toBe("paid");
    expect((await moneyOf("wu-min")) - before).toBe(33);
  });

  it("refuses splits that do not add up, members outside the team, unknown and duplicate members, and non-managers", async () => {
    const fundId = await newFund({ deposit: 1_000_000 });
    const cases: [unknown, number, string, Record<string, unknown>][] = [
      [
        {
          by: "amount",
          parts: [
            { personId: "yang-xue", amount: 400 },
            { personId: "wu-min", amount: 500 },
          ],
        },
        422,
        "split-does-not-add-up",
        { amount: 1000, sum: 900 },
      ],
      [{ by: "amount", parts: [{ personId: "gao-bo", amount: 1000 }] }, 422, "split-member-not-in-team", { personId: "gao-bo" }],
      [{ by: "amount", parts: [{ personId: "nobody", amount: 1000 }] }, 422, "split-member-unknown", { personId: "nobody" }],
      [
        {
          by: "share",
          parts: [
            { personId: "wu-min", share: 1 },
            { personId: "wu-min", share: 1 },
          ],
        },
        422,
        "split-member-duplicate",
        { personId: "wu-min" },
      ],
    ];
    for (const [split, status, code, numbers] of cases) {
      const response = await lead.post(`/funds/${fundId}/claims`, claimBody(1000, split));
      expect([response.status, response.body.code], JSON.stringify(response.body)).toEqual([status, code]);
      expect(response.body).toMatchObject(numbers);
    }
    const asApprover = await approver2.post(`/funds/${fundId}/claims`, claimBody(1000));
    expect([asApprover.status, asApprover.body.code]).toEqual([403, "forbidden"]);
    const noFund = await lead.post("/funds/nope/claims", claimBody(1000));
    expect([noFund.status, noFund.body.code]).toEqual([404, "fund-not-found"]);
    expect(await totals(fundId)).toMatchObject({ reserved: 0, available: 1_000_000 });
  });
});

describe("decisions", () => {
  it("the final approval posts the reservation as payouts to each member, in the fund's chain and theirs", async () => {
    const fundId = await newFund({ deposit: 1_000_000 });
    const claimId = await submit(fundId, 90_000, {
      by: "amount",
      parts: [
        { personId: "liu-yang", amount: 30_000 },
        { personId: "huang-tao", amount: 60_000 },
      ],
    });
    const before = await moneyOf("huang-tao");
    const decided = await approver.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "同意" });
    expect(decided.status).toBe(200);
    expect(decided.body.claim).toMatchObject({ status: "paid", settlementEntryIds: [expect.any(String), expect.any(String)] });
    expect(await totals(fundId)).toMatchObject({ deposited: 1_000_000, reserved: 0, paidOut: 90_000, available: 910_000 });
    expect((await moneyOf("huang-tao")) - before).toBe(60_000);
    const payouts = (await admin.get("/people/huang-tao/fund")).body.payouts;
    expect(payouts[0]).toMatchObject({ kind: "payout", amount: 60_000, from: `fund:${fundId}:reserved`, to: "person:huang-tao" });
    expect(payouts[0].mirrorOf).toBe(decided.body.claim.parts[1].payoutEntryId);
    expect(payouts[0].explained).toEqual({ zh: "创新基金发放：库存预警模型上线", en: "Innovation fund payout: 库存预警模型上线" });
    const history = (await lead.get(`/claims/${claimId}`)).body.history;
    expect(history.map((s: { action: string }) => s.action)).toEqual(["submitted", "posted"]);
    // Coins and badges are untouched by money.
    expect((await admin.get("/people/huang-tao/balances")).body.coins).toBe(0);
  });

  it("two approvers deciding at once: exactly one posts, the other is told the claim is no longer pending", async () => {
    const fundId = await newFund({ deposit: 1_000_000 });
    for (let round = 0; round < 3; round++) {
      const claimId = await submit(fundId, 10_000);
      const [a, b] = await Promise.all([
        approver.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "A" }),
        approver2.post(`/claims/${claimId}/decisions`, { decision: round === 2 ? "reject" : "approve", comment: "B" }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.code).toBe("claim-not-pending");
      expect(["paid", "rejected"]).toContain(loser.body.claimStatus);
      const history = (await admin.get(`/claims/${claimId}`)).body.history;
      expect(history).toHaveLength(2);
    }
    const t = await totals(fundId);
    expect(t.reserved).toBe(0);
    expect(t.deposited).toBe(t.available + t.reserved + t.paidOut - t.clawedBack);
  });

  it("maker-checker: the claimant, a member, and anyone in the claimant's team cannot decide; only approvers decide", async () => {
    const fundId = await newFund({ deposit: 1_000_000 });
    const claimId = await submit(fundId, 10_000, {
      by: "amount",
      parts: [
        { personId: "yang-xue", amount: 5_000 },
        { personId: "wu-min", amount: 5_000 },
      ],
    });
    const cases: [Client, string, string | undefined][] = [
      [await as("liu-yang", "approver", "manager"), "self-decision", undefined],
      [await as("wu-min", "approver"), "self-decision", undefined],
      [await as("huang-tao", "approver"), "maker-checker", "same-team"],
    ];
    for (const [client, code, reason] of cases) {
      const response = await client.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "ok" });
      expect([response.status, response.body.code, response.body.reason]).toEqual([403, code, reason]);
    }
    const notApprover = await (await as("gao-bo", "manager")).post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "x" });
    expect([notApprover.status, notApprover.body.code]).toEqual([403, "forbidden"]);
    // A team lead claiming for a team below: an approver inside that subtree is in the team too.
    const deptLead = await as("wang-fang", "manager");
    const deptClaim = await deptLead.post(
      `/funds/${fundId}/claims`,
      claimBody(1_000, { by: "amount", parts: [{ personId: "xu-jing", amount: 1_000 }] }),
    );
    expect(deptClaim.status).toBe(201);
    const below = await (await as("hu-yan", "approver")).post(`/claims/${deptClaim.body.claim.claimId}/decisions`, {
      decision: "approve",
      comment: "x",
    });
    expect([below.status, below.body.reason]).toEqual([403, "same-team"]);
    expect((await admin.get(`/claims/${claimId}`)).body.claim.status).toBe("pending");
    const missing = await approver.post("/claims/nope/decisions", { decision: "approve", comment: "x" });
    expect([missing.status, missing.body.code]).toEqual([404, "claim-not-found"]);
  });

  it("a claim above the threshold needs two approvals from different approvers", async () => {
    const fundId = await newFund({ deposit: 2_000_000, twoApprovalsAbove: 500_000 });
    const claimId = await submit(fundId, 800_000);
    const first = await approver.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "第一审" });
    expect(first.status).toBe(200);
    expect(first.body.claim).toMatchObject({
      status: "pending",
      requiredApprovals: 2,
      decisions: [expect.objectContaining({ approverId: "jiang-wen" })],
    });
    expect(await totals(fundId)).toMatchObject({ reserved: 800_000, paidOut: 0 });
    const same = await approver.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "again" });
    expect([same.status, same.body.code, same.body.approverId]).toEqual([409, "already-approved", "jiang-wen"]);
    const second = await approver2.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "第二审" });
    expect(second.status).toBe(200);
    expect(second.body.claim.status).toBe("paid");
    expect(await totals(fundId)).toMatchObject({ reserved: 0, paidOut: 800_000, available: 1_200_000 });
    const history = (await lead.get(`/claims/${claimId}`)).body.history;
    expect(history.map((s: { action: string }) => s.action)).toEqual(["submitted", "approved", "posted"]);
  });

  it("a rejection and a withdrawal void the reservation; decisions after that are refused", async () => {
    const fundId = await newFund({ deposit: 100_000 });
    const rejected = await submit(fundId, 40_000);
    const withdrawn = await submit(fundId, 40_000);
    expect(await totals(fundId)).toMatchObject({ reserved: 80_000, available: 20_000 });
    const reject = await approver.post(`/claims/${rejected}/decisions`, { decision: "reject", comment: "证据不足" });
    expect(reject.body.claim.status).toBe("rejected");
    const other = await (await as("wang-fang", "manager")).post(`/claims/${withdrawn}/withdrawal`, { reason: "x" });
    expect([other.status, other.body.code]).toEqual([403, "not-your-claim"]);
    const withdraw = await lead.post(`/claims/${withdrawn}/withdrawal`, { reason: "数据需复核" });
    expect(withdraw.status).toBe(200);
    expect(withdraw.body.claim.status).toBe("withdrawn");
    expect(await totals(fundId)).toMatchObject({ reserved: 0, available: 100_000, paidOut: 0 });
    const late = await approver.post(`/claims/${withdrawn}/decisions`, { decision: "approve", comment: "x" });
    expect([late.status, late.body.code, late.body.claimStatus]).toEqual([409, "claim-not-pending", "withdrawn"]);
    expect(late.body.detail).toBe(`Claim ${withdrawn} is withdrawn, not pending.`);
    const again = await lead.post(`/claims/${rejected}/withdrawal`, { reason: "x" });
    expect([again.status, again.body.code]).toEqual([409, "claim-not-pending"]);
  });
});

describe("clawbacks", () => {
  it("finance claws back a paid claim: reversal entries return the money to the pool, once per payout", async () => {
    const fundId = await newFund({ deposit: 100_000 });
    const claimId = await submit(fundId, 30_000, {
      by: "amount",
      parts: [
        { personId: "yang-xue", amount: 10_000 },
        { personId: "wu-min", amount: 20_000 },
      ],
    });
    const pending = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "x" });
    expect([pending.status, pending.body.code, pending.body.claimStatus]).toEqual([409, "claim-not-paid", "pending"]);
    const paid = await approver.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "ok" });
    const before = await moneyOf("wu-min");
    const notFinance = await approver.post(`/claims/${claimId}/clawbacks`, { reason: "x" });
    expect([notFinance.status, notFinance.body.code]).toEqual([403, "forbidden"]);
    const stranger = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "x", personIds: ["gao-bo"] });
    expect([stranger.status, stranger.body.code]).toEqual([422, "clawback-member-unknown"]);
    const member = await (await as("wu-min", "finance")).post(`/claims/${claimId}/clawbacks`, { reason: "x", personIds: ["yang-xue"] });
    expect([member.status, member.body.code]).toEqual([403, "self-clawback"]);
    const one = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "数据造假，追回", personIds: ["wu-min"] });
    expect(one.status).toBe(201);
    expect(one.body.claim.clawedBack).toBe(20_000);
    expect((await moneyOf("wu-min")) - before).toBe(-20_000);
    expect(await totals(fundId)).toMatchObject({ deposited: 100_000, reserved: 0, paidOut: 30_000, clawedBack: 20_000, available: 90_000 });
    const twice = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "again", personIds: ["wu-min"] });
    expect([twice.status, twice.body.code, twice.body.personIds]).toEqual([409, "already-clawed-back", ["wu-min"]]);
    const payoutEntry = paid.body.claim.parts[0].payoutEntryId as string;
    // The generic reversal route leaves fund entries and their mirrors alone.
    const mirror = (await admin.get("/people/yang-xue/fund")).body.payouts.find((e: { mirrorOf?: string }) => e.mirrorOf === payoutEntry);
    const generic = await admin.post(`/ledger/${mirror.entryId}/reversal`, { reason: "x" });
    expect([generic.status, generic.body.code]).toEqual([409, "entry-corrected-elsewhere"]);
    const rest = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "全部追回" });
    expect([rest.status, rest.body.code]).toEqual([409, "already-clawed-back"]);
    const last = await finance.post(`/claims/${claimId}/clawbacks`, { reason: "全部追回", personIds: ["yang-xue"] });
    expect(last.body.claim.clawedBack).toBe(30_000);
    const history = (await admin.get(`/claims/${claimId}`)).body.history;
    expect(history.map((s: { action: string }) => s.action)).toEqual(["submitted", "posted", "clawed-back", "clawed-back"]);
  });
});

describe("access to claims", () => {
  it("a manager reads claims of their own team, not others'", async () => {
    const fundId = await newFund({ deposit: 10_000 });
    const claimId = await submit(fundId, 1_000);
    expect((await (await as("yang-xue", "manager")).get(`/claims/${claimId}`)).status).toBe(200);
    expect((await (await as("wang-fang", "manager")).get(`/claims/${claimId}`)).status).toBe(200);
    const other = await (await as("gao-bo", "manager")).get(`/claims/${claimId}`);
    expect([other.status, other.body.code]).toEqual([403, "forbidden"]);
    expect((await (await as("gao-bo", "manager")).get("/people/yang-xue/fund")).status).toBe(403);
    expect((await finance.get("/claims/nope")).status).toBe(404);
  });
});

describe("the ledger after all of the above", () => {
  it("verifyLedger over the fund chains and every person's chain is clean, and each pool's book matches its entries", async () => {
    expect(await fundLedgerProblems(funds)).toEqual([]);
    for (const fundId of funds) {
      const { book, folded } = await fundBookMatchesEntries(fundId);
      expect(book).toEqual(folded);
      expect(book.deposited).toBe(book.available + book.reserved + book.paidOut - book.clawedBack);
    }
  });
});
