/**
 * "My redemptions" and "claims waiting for me": lists kept by key in the same transactions as the
 * writes they reflect, read a page at a time (domain/fund/redemptions.ts, FundService.claimsWaiting).
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { rebuildProjections } from "../../functions/dynamo/maintenance.ts";
import { as, type Client } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoOrg } from "../support/org.ts";

let admin: Client;
let finance: Client;

beforeAll(async () => {
  admin = await withDemoOrg();
  finance = await as("peng-li", "finance");
});

interface Listed {
  entryId: string;
  status: string;
  rewardId: string;
  reward: { zh: string; en?: string };
  coins: number;
  collect?: { zh: string; en?: string };
  collectedBy?: string;
  cancelReason?: string;
}

/** Every page of a list, following the cursors. */
async function allPages<T>(client: Client, path: string, field: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = await client.get(`${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...(page.body[field] as T[]));
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

async function reward(name: string, collect?: { zh: string; en: string }) {
  const rewardId = `r-${randomUUID().slice(0, 8)}`;
  const response = await admin.put(`/admin/rewards/${rewardId}`, {
    name: { zh: name, en: `${name} (en)` },
    price: 10,
    stock: 10,
    ...(collect ? { collect } : {}),
  });
  expect(response.status).toBe(200);
  return rewardId;
}

describe("my redemptions", () => {
  it("lists a person's redemptions newest first, each placed, collected or cancelled, with how to collect it", async () => {
    await admin.post("/awards", { personId: "huang-tao", coins: 30, reason: "start" });
    const tao = await as("huang-tao", "manager");
    const book = await reward("书籍", { zh: "到三楼行政处领取", en: "Collect at the 3rd-floor office" });
    const cup = await reward("保温杯");
    const card = await reward("学习卡");
    const redeem = async (rewardId: string) => (await tao.post("/redemptions", { rewardId })).body.redemption.entryId as string;
    const [first, second, third] = [await redeem(book), await redeem(cup), await redeem(card)];
    expect((await finance.post(`/redemptions/${first}/collection`, undefined)).status).toBe(201);
    expect((await admin.post(`/redemptions/${second}/cancellation`, { reason: "缺货，退回金币" })).status).toBe(201);

    const mine = await allPages<Listed>(tao, "/people/huang-tao/redemptions?limit=1", "redemptions");
    expect(mine.map((r) => [r.entryId, r.status])).toEqual([
      [third, "placed"],
      [second, "cancelled"],
      [first, "collected"],
    ]);
    expect(mine[2]).toMatchObject({
      rewardId: book,
      reward: { zh: "书籍", en: "书籍 (en)" },
      coins: 10,
      collect: { zh: "到三楼行政处领取", en: "Collect at the 3rd-floor office" },
      collectedBy: "peng-li",
    });
    expect(mine[1]?.cancelReason).toBe("缺货，退回金币");
    const placed = (await tao.get("/people/huang-tao/redemptions?status=placed")).body.redemptions as Listed[];
    expect(placed.map((r) => r.entryId)).toEqual([third]);
    // Finance, who hands rewards over, reads the same list.
    expect((await finance.get("/people/huang-tao/redemptions?status=collected")).body.redemptions.map((r: Listed) => r.entryId)).toEqual([
      first,
    ]);
  });

  it("a redemption's hand-over and cancellation, retried, leave it listed once with its one status", async () => {
    await admin.post("/awards", { personId: "wu-min", coins: 10, reason: "start" });
    const min = await as("wu-min", "manager");
    const entryId = (await min.post("/redemptions", { rewardId: await reward("雨伞") })).body.redemption.entryId as string;
    const key = { "idempotency-key": randomUUID() };
    expect((await finance.post(`/redemptions/${entryId}/collection`, undefined, key)).status).toBe(201);
    expect((await finance.post(`/redemptions/${entryId}/collection`, undefined, key)).headers["idempotent-replayed"]).toBe("true");
    expect((await admin.post(`/redemptions/${entryId}/cancellation`, { reason: "x" })).body.code).toBe("already-collected");
    const listed = (await allPages<Listed>(min, "/people/wu-min/redemptions", "redemptions")).filter((r) => r.entryId === entryId);
    expect(listed.map((r) => r.status)).toEqual(["collected"]);
  });

  it("refuses another manager's list (403), a bad status or cursor (400)", async () => {
    const other = await as("yang-xue", "manager");
    const theirs = await other.get("/people/huang-tao/redemptions");
    expect([theirs.status, theirs.body.code]).toEqual([403, "forbidden"]);
    const badStatus = await other.get("/people/yang-xue/redemptions?status=lost");
    expect([badStatus.status, badStatus.body.code]).toEqual([400, "validation-failed"]);
    const badCursor = await other.get("/people/yang-xue/redemptions?cursor=bm90LW91cnM");
    expect([badCursor.status, badCursor.body.code]).toEqual([400, "invalid-cursor"]);
  });
});

describe("claims waiting for me", () => {
  const claimBody = (amount: number) => ({
    scenario: "库存预警模型上线",
    measuredValue: "缺货率下降 30%",
    amount,
    split: { by: "amount", parts: [{ personId: "yang-xue", amount }] },
  });

  async function newFund(twoApprovalsAbove: number) {
    const fundId = `f-${randomUUID().slice(0, 8)}`;
    const limits = { perClaim: 1_000_000, perPersonInPeriod: 10_000_000 };
    expect(
      (await finance.post("/funds", { fundId, name: "创新基金", currency: "CNY", period: "2026", limits, twoApprovalsAbove })).status,
    ).toBe(201);
    expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 5_000_000, reason: "拨付" })).status).toBe(201);
    return fundId;
  }

  const waitingFor = async (client: Client, personId: string) =>
    (await allPages<{ claimId: string; decisions: unknown[] }>(client, `/people/${personId}/claims-waiting?limit=2`, "claims")).map(
      (c) => c.claimId,
    );

  it("an approver sees the pending claims they may decide, never their own team's or those paying them", async () => {
    const lead = await as("liu-yang", "manager");
    const fundId = await newFund(500_000);
    const claimId = (await lead.post(`/funds/${fundId}/claims`, claimBody(100_000))).body.claim.claimId as string;
    const approver = await as("jiang-wen", "approver", "manager");
    expect(await waitingFor(approver, "jiang-wen")).toContain(claimId);
    // Wu Min is in the claimant's unit, Yang Xue is paid by the claim: maker-checker keeps it from both.
    expect(await waitingFor(await as("wu-min", "approver", "manager"), "wu-min")).not.toContain(claimId);
    expect(await waitingFor(await as("yang-xue", "approver", "manager"), "yang-xue")).not.toContain(claimId);

    const decided = await approver.post(`/claims/${claimId}/decisions`, { decision: "reject", comment: "证据不足" });
    expect(decided.body.claim.status).toBe("rejected");
    expect(await waitingFor(approver, "jiang-wen")).not.toContain(claimId);
  });

  it("a claim needing two approvals waits for a second approver after the first, and leaves every queue once paid or withdrawn", async () => {
    const lead = await as("liu-yang", "manager");
    const fundId = await newFund(50_000);
    const big = (await lead.post(`/funds/${fundId}/claims`, claimBody(200_000))).body.claim.claimId as string;
    const withdrawn = (await lead.post(`/funds/${fundId}/claims`, claimBody(10_000))).body.claim.claimId as string;
    const first = await as("jiang-wen", "approver", "manager");
    const second = await as("deng-hua", "approver");
    expect(await waitingFor(first, "jiang-wen")).toEqual(expect.arrayContaining([big, withdrawn]));

    expect((await first.post(`/claims/${big}/decisions`, { decision: "approve", comment: "同意" })).body.claim.status).toBe("pending");
    expect(await waitingFor(first, "jiang-wen")).not.toContain(big);
    expect(await waitingFor(second, "deng-hua")).toContain(big);
    expect((await second.post(`/claims/${big}/decisions`, { decision: "approve", comment: "同意" })).body.claim.status).toBe("paid");
    expect((await lead.post(`/claims/${withdrawn}/withdrawal`, { reason: "重复提交" })).body.claim.status).toBe("withdrawn");
    for (const [client, personId] of [
      [first, "jiang-wen"],
      [second, "deng-hua"],
    ] as const) {
      const queue = await waitingFor(client, personId);
      expect(queue).not.toContain(big);
      expect(queue).not.toContain(withdrawn);
    }
  });

  it("refuses another approver's queue and callers who are not approvers (403)", async () => {
    const approver = await as("jiang-wen", "approver", "manager");
    const theirs = await approver.get("/people/deng-hua/claims-waiting");
    expect([theirs.status, theirs.body.code]).toEqual([403, "forbidden"]);
    const manager = await (await as("liu-yang", "manager")).get("/people/liu-yang/claims-waiting");
    expect([manager.status, manager.body.code]).toEqual([403, "forbidden"]);
  });
});

describe("rebuild-projections", () => {
  it("puts back the lists as the ledger and the claims imply them: a lost redemption, a wrong status, a lost or stray queue item", async () => {
    const db = createDocumentClient();
    await admin.post("/awards", { personId: "yang-xue", coins: 20, reason: "start" });
    const xue = await as("yang-xue", "manager");
    const rewardId = await reward("台灯", { zh: "前台领取", en: "At the front desk" });
    const lost = (await xue.post("/redemptions", { rewardId })).body.redemption.entryId as string;
    const wrong = (await xue.post("/redemptions", { rewardId })).body.redemption.entryId as string;
    expect((await finance.post(`/redemptions/${wrong}/collection`, undefined)).status).toBe(201);
    const seqOf = (entryId: string) => Number(entryId.split(".").at(-1));
    const listed = await allPages<Listed>(xue, "/people/yang-xue/redemptions", "redemptions");
    const claim = (
      await (
        await as("liu-yang", "manager")
      ).post(`/funds/${await fundWithMoney()}/claims`, {
        scenario: "排班优化",
        measuredValue: "加班减少 20%",
        amount: 1_000,
        split: { by: "amount", parts: [{ personId: "yang-xue", amount: 1_000 }] },
      })
    ).body.claim;

    await db.send(new DeleteCommand({ TableName: tableNames.state, Key: keys.redemption("yang-xue", seqOf(lost)) }));
    const wrongItem = listed.find((r) => r.entryId === wrong);
    await db.send(
      new PutCommand({
        TableName: tableNames.state,
        Item: { ...wrongItem, collect: undefined, status: "placed", ...keys.redemption("yang-xue", seqOf(wrong)) },
      }),
    );
    await db.send(new DeleteCommand({ TableName: tableNames.state, Key: keys.waitingClaim(claim.createdAt, claim.claimId) }));
    const stray = keys.waitingClaim("2020-01-01T00:00:00.000Z", "clm-stray");
    await db.send(new PutCommand({ TableName: tableNames.state, Item: { ...claim, claimId: "clm-stray", status: "pending", ...stray } }));

    const { rebuilt, refused } = await rebuildProjections(db, tableNames);
    expect([rebuilt, refused]).toEqual([["claims waiting", "redemptions of person:yang-xue"], []]);
    expect(await allPages<Listed>(xue, "/people/yang-xue/redemptions", "redemptions")).toEqual(listed);
    const queue = await allPages<{ claimId: string }>(
      await as("jiang-wen", "approver", "manager"),
      "/people/jiang-wen/claims-waiting",
      "claims",
    );
    expect(queue.map((c) => c.claimId)).toContain(claim.claimId);
    expect(queue.map((c) => c.claimId)).not.toContain("clm-stray");
    expect(await rebuildProjections(db, tableNames)).toEqual({ rebuilt: [], refused: [] });
  });
});

async function fundWithMoney() {
  const fundId = `f-${randomUUID().slice(0, 8)}`;
  const limits = { perClaim: 1_000_000, perPersonInPeriod: 10_000_000 };
  expect(
    (await finance.post("/funds", { fundId, name: "创新基金", currency: "CNY", period: "2026", limits, twoApprovalsAbove: 500_000 }))
      .status,
  ).toBe(201);
  expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 100_000, reason: "拨付" })).status).toBe(201);
  return fundId;
}
