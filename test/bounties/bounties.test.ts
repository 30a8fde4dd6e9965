import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { as, type Client } from "../support/api.ts";
import { fundLedgerProblems } from "../support/fund-invariants.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";

let admin: Client;
let finance: Client;
let approver: Client;
/** 刘洋 leads 华东门店组 (store-east): 杨雪, 黄涛, 吴敏. */
let lead: Client;
/** 徐静 leads 华南门店组 (store-south): 马超, 胡燕. */
let southLead: Client;
let member: Client;

beforeAll(async () => {
  admin = await withDemoOrg();
  finance = await as("peng-li", "finance");
  approver = await as("jiang-wen", "approver", "manager");
  lead = await as("liu-yang", "manager");
  southLead = await as("xu-jing", "manager");
  member = await as("yang-xue", "manager");
});

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

const bountyBody = (extra: Record<string, unknown> = {}) => ({
  title: { zh: "门店缺货预警模型", en: "Store stock-out warning model" },
  description: { zh: "用 BI 数据提前三天预警缺货", en: "Warn of stock-outs three days ahead from BI data" },
  capability: "data-assurance",
  reward: { coins: 100, points: 50 },
  deadline: inAWeek(),
  ...extra,
});

async function post(extra: Record<string, unknown> = {}, poster = admin) {
  const response = await poster.post("/bounties", bountyBody(extra));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.bounty.bountyId as string;
}

const eastTeam = {
  members: [
    { personId: "yang-xue", share: 60 },
    { personId: "huang-tao", share: 40 },
  ],
};
const balances = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body;

async function takeAndDeliver(bountyId: string) {
  const taken = await lead.post(`/bounties/${bountyId}/teams`, eastTeam);
  expect(taken.status, JSON.stringify(taken.body)).toBe(201);
  const teamId = taken.body.bounty.teams.at(-1).teamId as string;
  const delivered = await member.post(`/bounties/${bountyId}/teams/${teamId}/deliveries`, {
    link: "https://bi.tianma.example/stockout-model",
    note: "模型已上线，缺货率下降 30%",
  });
  expect(delivered.status, JSON.stringify(delivered.body)).toBe(201);
  return teamId;
}

describe("a bounty from posting to payout", () => {
  it("is posted, taken by a team, delivered and accepted: the reward is split by the shares, each entry naming the bounty and its authors", async () => {
    const bountyId = await post();
    expect((await lead.get("/bounties?view=open")).body.bounties.map((b: { bountyId: string }) => b.bountyId)).toContain(bountyId);
    const [before60, before40] = [await balances("yang-xue"), await balances("huang-tao")];
    const teamId = await takeAndDeliver(bountyId);

    const accepted = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "效果可量化" });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.bounty).toMatchObject({ status: "done", winner: teamId });
    const [after60, after40] = [await balances("yang-xue"), await balances("huang-tao")];
    expect(after60.coins - before60.coins).toBe(60);
    expect(after40.coins - before40.coins).toBe(40);
    expect(after60.points.byCapability["data-assurance"] - before60.points.byCapability["data-assurance"]).toBe(30);
    expect(after40.points.byCapability["data-assurance"] - before40.points.byCapability["data-assurance"]).toBe(20);

    const [newest] = (await admin.get("/people/yang-xue/ledger?limit=2")).body.entries;
    expect(newest.ref).toEqual({ bountyId, teamId, authors: ["yang-xue", "huang-tao"] });
    expect(newest.reason).toContain("门店缺货预警模型");
    expect(newest.reason).toContain("杨雪 60%");
    expect(newest.reason).toContain("黄涛 40%");

    const view = await member.get(`/bounties/${bountyId}`);
    expect(view.body.history.map((s: { action: string }) => s.action)).toEqual(["posted", "taken", "delivered", "accepted"]);
    expect((await member.get("/bounties?view=mine")).body.bounties.map((b: { bountyId: string }) => b.bountyId)).toContain(bountyId);
    expect((await member.get("/bounties?view=done")).body.bounties.map((b: { bountyId: string }) => b.bountyId)).toContain(bountyId);
    expect(await ledgerProblems()).toEqual([]);

    const winners = await member.get("/leaderboards/bounties?by=person");
    const yang = winners.body.rows.find((r: { id: string }) => r.id === "yang-xue");
    expect(yang).toMatchObject({ name: "杨雪", rank: 1 });
    expect(yang.score).toBeGreaterThanOrEqual(1);
    const units = await member.get("/leaderboards/bounties?by=orgUnit");
    expect(units.body.rows.find((r: { id: string }) => r.id === "store-east")?.score).toBeGreaterThanOrEqual(1);
  });

  it("a rejected delivery can be handed in again; the replayed acceptance pays nothing twice", async () => {
    const bountyId = await post();
    const teamId = await takeAndDeliver(bountyId);
    const rejected = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "reject", reason: "缺少验证数据" });
    expect(rejected.body.bounty.teams[0]).toMatchObject({ status: "rejected" });
    const again = await member.post(`/bounties/${bountyId}/teams/${teamId}/deliveries`, {
      link: "https://bi.tianma.example/v2",
      note: "补充验证",
    });
    expect(again.status).toBe(201);
    const before = await balances("yang-xue");
    const key = { "idempotency-key": randomUUID() };
    const first = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "通过" }, key);
    const replay = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "通过" }, key);
    expect(first.status).toBe(200);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect((await balances("yang-xue")).coins - before.coins).toBe(60);
  });
});

describe("refusals", () => {
  it("two teams taking a bounty at once when only one may: exactly one succeeds", async () => {
    const bountyId = await post({ maxTeams: 1 });
    const answers = await Promise.all([
      lead.post(`/bounties/${bountyId}/teams`, eastTeam),
      southLead.post(`/bounties/${bountyId}/teams`, {
        members: [
          { personId: "ma-chao", share: 50 },
          { personId: "hu-yan", share: 50 },
        ],
      }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe("bounty-full");
    expect((await admin.get(`/bounties/${bountyId}`)).body.bounty.teams).toHaveLength(1);
  });

  it("a team member accepting their own team's delivery is refused, and nothing changes", async () => {
    const bountyId = await post({}, await as("wang-fang", "manager"));
    const teamId = await takeAndDeliver(bountyId);
    const before = await balances("yang-xue");
    const own = await member.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "我们做完了" });
    expect([own.status, own.body.code]).toEqual([403, "self-judgement"]);
    const byLead = await lead.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "我们做完了" });
    expect([byLead.status, byLead.body.code]).toEqual([403, "self-judgement"]);
    const notPoster = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "x" });
    expect([notPoster.status, notPoster.body.code]).toEqual([403, "not-the-poster"]);
    expect((await balances("yang-xue")).coins).toBe(before.coins);
    expect((await admin.get(`/bounties/${bountyId}`)).body.bounty.teams[0].status).toBe("delivered");
  });

  it("shares that do not add up to 100 are refused, and nothing is written", async () => {
    const bountyId = await post();
    const bad = await lead.post(`/bounties/${bountyId}/teams`, {
      members: [
        { personId: "yang-xue", share: 60 },
        { personId: "huang-tao", share: 30 },
      ],
    });
    expect([bad.status, bad.body.code]).toEqual([422, "shares-do-not-add-up"]);
    expect(bad.body.detail).toBe("Authorship shares add up to 90, not 100.");
    const view = (await admin.get(`/bounties/${bountyId}`)).body;
    expect(view.bounty.teams).toEqual([]);
    expect(view.history).toHaveLength(1);
  });

  it("refuses someone else's people, the poster in a team, a manager who leads nothing posting, and a deadline in the past", async () => {
    const bountyId = await post();
    const stranger = await lead.post(`/bounties/${bountyId}/teams`, { members: [{ personId: "ma-chao", share: 100 }] });
    expect([stranger.status, stranger.body.code]).toEqual([422, "team-member-not-yours"]);
    const byLead = await post({}, lead);
    const self = await lead.post(`/bounties/${byLead}/teams`, { members: [{ personId: "liu-yang", share: 100 }] });
    expect([self.status, self.body.code]).toEqual([422, "poster-in-team"]);
    const notALead = await member.post("/bounties", bountyBody());
    expect([notALead.status, notALead.body.code]).toEqual([403, "forbidden"]);
    const past = await admin.post("/bounties", bountyBody({ deadline: "2020-01-01T00:00:00Z" }));
    expect([past.status, past.body.code]).toEqual([422, "deadline-past"]);
  });
});

describe("fund money", () => {
  async function fund(deposit: number) {
    const fundId = `f-${randomUUID().slice(0, 8)}`;
    const created = await finance.post("/funds", {
      fundId,
      name: "揭榜挂帅奖金池",
      currency: "CNY",
      period: "2026",
      limits: { perClaim: 1_000_000, perPersonInPeriod: 1_000_000 },
      twoApprovalsAbove: 500_000,
    });
    expect(created.status).toBe(201);
    expect((await finance.post(`/funds/${fundId}/deposits`, { amount: deposit, reason: "预算" })).status).toBe(201);
    return fundId;
  }
  const totals = async (fundId: string) => (await finance.get(`/funds/${fundId}`)).body.totals;

  it("is reserved when posted and, once accepted, paid by the shares after the fund's approval", async () => {
    const fundId = await fund(100_000);
    const bountyId = await post({ fund: { fundId, amount: 50_000 } });
    expect(await totals(fundId)).toMatchObject({ reserved: 50_000, available: 50_000 });
    const teamId = await takeAndDeliver(bountyId);
    const accepted = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, { decision: "accept", reason: "通过" });
    const claimId = accepted.body.bounty.funding.claimId;
    expect((await approver.get(`/claims/${claimId}`)).body.claim).toMatchObject({
      status: "pending",
      claimant: "liu-yang",
      parts: [
        { personId: "yang-xue", amount: 30_000 },
        { personId: "huang-tao", amount: 20_000 },
      ],
    });
    const decided = await approver.post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "同意" });
    expect(decided.body.claim.status).toBe("paid");
    expect(await totals(fundId)).toMatchObject({ reserved: 0, paidOut: 50_000, available: 50_000 });
    expect(await fundLedgerProblems([fundId])).toEqual([]);
  });

  it("is released back to the pool when the bounty expires with nothing accepted", async () => {
    const fundId = await fund(100_000);
    const deadline = new Date(Date.now() + 1500).toISOString();
    const bountyId = await post({ fund: { fundId, amount: 40_000 }, deadline });
    const early = await admin.post(`/bounties/${bountyId}/expiry`, { reason: "无人揭榜" });
    expect([early.status, early.body.code]).toEqual([409, "bounty-not-due"]);
    while (new Date().toISOString() <= deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await lead.get(`/bounties/${bountyId}`)).body.bounty.status).toBe("expired");
    const late = await lead.post(`/bounties/${bountyId}/teams`, eastTeam);
    expect([late.status, late.body.code]).toEqual([409, "bounty-expired"]);
    const expired = await admin.post(`/bounties/${bountyId}/expiry`, { reason: "无人揭榜" });
    expect(expired.status, JSON.stringify(expired.body)).toBe(200);
    expect(expired.body.bounty.funding.voidEntryId).toMatch(/^fund\./);
    expect(await totals(fundId)).toMatchObject({ reserved: 0, available: 100_000 });
    expect(await fundLedgerProblems([fundId])).toEqual([]);
  });

  it("is released by the hourly sweep when nobody closes the expired bounty, once however often the sweep runs", async () => {
    const fundId = await fund(100_000);
    const deadline = new Date(Date.now() + 1500).toISOString();
    const bountyId = await post({ fund: { fundId, amount: 30_000 }, deadline });
    while (new Date().toISOString() <= deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const { handler: sweeper } = await import("../../functions/background/bounty-sweeper.ts");
    const { lambdaContext } = await import("../../scripts/local/lambda.ts");
    const handler = () => sweeper({}, lambdaContext("bounty-sweeper"));
    expect((await handler()).expired).toContain(bountyId);
    expect((await handler()).expired).not.toContain(bountyId);
    expect((await admin.get(`/bounties/${bountyId}`)).body.history.at(-1)).toMatchObject({ action: "expired", actor: "cao-yi" });
    expect(await totals(fundId)).toMatchObject({ reserved: 0, available: 100_000 });
    expect(await fundLedgerProblems([fundId])).toEqual([]);
  });
});
