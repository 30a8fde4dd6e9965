/**
 * Holds beyond the webhook: while an open review item holds a person, an award by hand, a bounty's
 * reward and a fund payout to them are refused with `409 person-under-review`, naming the review,
 * and move nothing; once the review is decided the same request goes through. A review item is
 * opened here as the projector opens one (the detectors themselves: integrity.test.ts).
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoReviewStore } from "../../functions/dynamo/stores/review-store.ts";
import { as, type Client } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoOrg } from "../support/org.ts";

process.env.INTEGRITY = JSON.stringify({ holdFlagged: true });

let admin: Client;
let approver: Client;
/** 刘洋 leads 华东门店组 (store-east): 杨雪, 黄涛, 吴敏. */
let lead: Client;
const reviews = new DynamoReviewStore(createDocumentClient(), tableNames.state);

beforeAll(async () => {
  admin = await withDemoOrg();
  approver = await as("jiang-wen", "approver", "manager");
  lead = await as("liu-yang", "manager");
});

/** An open review item holding the person, as the projector opens one with `holdFlagged`. */
async function hold(personId: string): Promise<string> {
  const flagId = `person-velocity:${personId}:${randomUUID().slice(0, 8)}`;
  const opened = await reviews.open({
    flagId,
    detector: "person-velocity",
    people: [personId as PersonId],
    raisedAt: new Date().toISOString(),
    figures: { today: 25, baseline: 2 },
    entryIds: [],
    eventIds: [],
    explained: { zh: "今日获奖事件 25 次", en: "25 awarding events today" },
    status: "open",
    held: [personId as PersonId],
  });
  expect(opened).toBe(true);
  return flagId;
}

const dismiss = async (flagId: string) =>
  expect((await approver.post(`/admin/reviews/${flagId}/decision`, { decision: "dismiss", reason: "正常补录" })).status).toBe(200);
const balances = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body;

describe("awards with no event to keep, to a person a review holds", () => {
  it("refuses an award by hand naming the review, moves nothing, and takes the same request once the review is dismissed", async () => {
    const flagId = await hold("huang-tao");
    const before = await balances("huang-tao");
    const key = { "idempotency-key": randomUUID() };
    const award = { personId: "huang-tao", coins: 300, points: { amount: 10, capability: "tool-operation" }, reason: "门店数字化示范" };
    const refused = await admin.post("/awards", award, key);
    expect([refused.status, refused.body.code]).toEqual([409, "person-under-review"]);
    expect(refused.body.held).toEqual([{ personId: "huang-tao", reviews: [flagId] }]);
    expect(refused.body.detail).toContain(flagId);
    expect(await balances("huang-tao")).toEqual(before);

    await dismiss(flagId);
    const granted = await admin.post("/awards", award, key);
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    expect((await balances("huang-tao")).coins).toBe(before.coins + 300);
  });

  it("answers an award made before the hold as it was when it is sent again", async () => {
    const key = { "idempotency-key": randomUUID() };
    const award = { personId: "wu-min", coins: 50, reason: "分享会" };
    expect((await admin.post("/awards", award, key)).status).toBe(201);
    const flagId = await hold("wu-min");
    const replayed = await admin.post("/awards", award, key);
    expect(replayed.status).toBe(201);
    expect(replayed.body.entries).toHaveLength(1);
    await dismiss(flagId);
  });

  it("keeps a bounty's delivery waiting while an author is held: accepting it pays nobody until the review is decided", async () => {
    const posted = await admin.post("/bounties", {
      title: { zh: "门店缺货预警模型", en: "Store stock-out warning model" },
      description: { zh: "用 BI 数据提前三天预警缺货", en: "Warn of stock-outs three days ahead from BI data" },
      capability: "data-assurance",
      reward: { coins: 100, points: 50 },
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    const bountyId = posted.body.bounty.bountyId as string;
    const taken = await lead.post(`/bounties/${bountyId}/teams`, {
      members: [
        { personId: "yang-xue", share: 60 },
        { personId: "huang-tao", share: 40 },
      ],
    });
    const teamId = taken.body.bounty.teams.at(-1).teamId as string;
    const member = await as("yang-xue", "manager");
    const delivered = await member.post(`/bounties/${bountyId}/teams/${teamId}/deliveries`, {
      link: "https://bi.tianma.example/m",
      note: "已上线",
    });
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(201);
    const flagId = await hold("huang-tao");
    const before = [await balances("yang-xue"), await balances("huang-tao")];

    const judgement = { decision: "accept", reason: "效果可量化" };
    const refused = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, judgement);
    expect([refused.status, refused.body.code]).toEqual([409, "person-under-review"]);
    expect(refused.body.held).toEqual([{ personId: "huang-tao", reviews: [flagId] }]);
    expect([await balances("yang-xue"), await balances("huang-tao")]).toEqual(before);
    expect((await admin.get(`/bounties/${bountyId}`)).body.bounty).toMatchObject({ status: "open" });

    await dismiss(flagId);
    const accepted = await admin.post(`/bounties/${bountyId}/teams/${teamId}/judgements`, judgement);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect((await balances("huang-tao")).coins).toBe(before[1]?.coins + 40);
  });

  it("keeps a fund claim pending while a member of its split is held, and pays it on approval once the review is decided", async () => {
    const finance = await as("peng-li", "finance");
    const fundId = `f-${randomUUID().slice(0, 8)}`;
    const fund = { fundId, name: "2026 数字化创新基金", currency: "CNY", period: "2026", twoApprovalsAbove: 500_000 };
    expect((await finance.post("/funds", { ...fund, limits: { perClaim: 1_000_000, perPersonInPeriod: 1_000_000 } })).status).toBe(201);
    expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 1_000_000, reason: "年度预算拨付" })).status).toBe(201);
    const claim = await lead.post(`/funds/${fundId}/claims`, {
      scenario: "库存预警模型上线",
      measuredValue: "缺货率下降 30%",
      evidence: ["https://bi.tianma.example/reports/stockout-2026"],
      amount: 90_000,
      split: {
        by: "amount",
        parts: [
          { personId: "yang-xue", amount: 60_000 },
          { personId: "wu-min", amount: 30_000 },
        ],
      },
    });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    const claimId = claim.body.claim.claimId as string;
    const flagId = await hold("wu-min");

    const approval = { decision: "approve", comment: "价值清晰" };
    const refused = await approver.post(`/claims/${claimId}/decisions`, approval);
    expect([refused.status, refused.body.code]).toEqual([409, "person-under-review"]);
    expect(refused.body.held).toEqual([{ personId: "wu-min", reviews: [flagId] }]);
    expect((await lead.get(`/claims/${claimId}`)).body.claim).toMatchObject({ status: "pending", decisions: [] });

    await dismiss(flagId);
    const paid = await approver.post(`/claims/${claimId}/decisions`, approval);
    expect([paid.status, paid.body.claim?.status]).toEqual([200, "paid"]);
    expect((await admin.get("/people/wu-min/fund")).body.received.CNY).toBe(30_000);
  });
});
