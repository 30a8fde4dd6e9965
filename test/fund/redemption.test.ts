import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { affordability, RewardDefinition } from "../../domain/fund/index.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { as, type Client } from "../support/api.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";

let admin: Client;
let me: Client;

beforeAll(async () => {
  admin = await withDemoOrg();
  me = await as("yang-xue", "manager");
});

async function reward(body: Record<string, unknown> = {}) {
  const rewardId = `r-${randomUUID().slice(0, 8)}`;
  const response = await admin.put(`/admin/rewards/${rewardId}`, {
    name: { zh: "学习卡", en: "Learning card" },
    price: 50,
    stock: 10,
    ...body,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return rewardId;
}

const coinsOf = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body.coins as number;
const remainingOf = async (rewardId: string) =>
  (await me.get("/rewards")).body.rewards.find((r: { id: string }) => r.id === rewardId).remaining;

describe("what a person could do with a reward (a price change's dry run)", () => {
  const card = RewardDefinition.parse({ name: { zh: "学习卡" }, price: 50, stock: 10, perPersonLimit: { count: 3, period: "month" } });

  it("units are what the coins buy, capped by the stock left and the person's limit in the period", () => {
    expect(affordability(card, { coins: 120, remaining: 10, redeemedInPeriod: 0 })).toEqual({
      canAfford: true,
      couldRedeem: 2,
      coinsShort: 0,
    });
    expect(affordability(card, { coins: 1000, remaining: 10, redeemedInPeriod: 1 }).couldRedeem).toBe(2);
    expect(affordability(card, { coins: 1000, remaining: 1, redeemedInPeriod: 0 }).couldRedeem).toBe(1);
    const { perPersonLimit: _, ...unlimited } = card;
    const plenty = { coins: 1000, remaining: "unlimited", redeemedInPeriod: 0 } as const;
    expect(affordability({ ...unlimited, stock: "unlimited" }, plenty).couldRedeem).toBe(20);
  });

  it("a person short of the price is told how many coins they lack; a withdrawn reward can be redeemed by nobody", () => {
    expect(affordability(card, { coins: 30, remaining: 10, redeemedInPeriod: 0 })).toEqual({
      canAfford: false,
      couldRedeem: 0,
      coinsShort: 20,
    });
    expect(affordability({ ...card, active: false }, { coins: 500, remaining: 10, redeemedInPeriod: 0 })).toEqual({
      canAfford: true,
      couldRedeem: 0,
      coinsShort: 0,
    });
  });
});

describe("the rewards catalog", () => {
  it("an admin defines rewards with versions; anyone signed in lists them with what is left", async () => {
    const rewardId = await reward({ stock: 3 });
    const changed = await admin.put(`/admin/rewards/${rewardId}`, { name: { zh: "学习卡" }, price: 60, stock: 5 });
    expect(changed.body).toMatchObject({ version: 2, remaining: 5, issued: 0 });
    expect(await remainingOf(rewardId)).toBe(5);
    const unlimited = await reward({ stock: "unlimited" });
    expect(await remainingOf(unlimited)).toBe("unlimited");
    const notAdmin = await (await as("liu-yang", "manager")).put(`/admin/rewards/${rewardId}`, { name: { zh: "x" }, price: 1, stock: 1 });
    expect([notAdmin.status, notAdmin.body.code]).toEqual([403, "forbidden"]);
    const invalid = await admin.put(`/admin/rewards/${rewardId}`, { name: { zh: "x" }, price: 0, stock: -1, extra: true });
    expect([invalid.status, invalid.body.code]).toEqual([400, "validation-failed"]);
  });
});

describe("redemptions", () => {
  it("a manager redeems for themselves: coins to the redemption sink and stock down, together", async () => {
    const rewardId = await reward({ price: 40, stock: 5 });
    await admin.post("/awards", { personId: "yang-xue", coins: 100, reason: "start" });
    const before = await coinsOf("yang-xue");
    const key = { "idempotency-key": randomUUID() };
    const redeemed = await me.post("/redemptions", { rewardId, quantity: 2 }, key);
    expect(redeemed.status).toBe(201);
    expect(redeemed.body.entries[0]).toMatchObject({
      kind: "redemption",
      asset: "coin",
      amount: 80,
      from: "person:yang-xue",
      to: "system:redemptions",
      ref: { rewardId, quantity: 2 },
    });
    expect(redeemed.body.balances.coins).toBe(before - 80);
    expect(await remainingOf(rewardId)).toBe(3);
    const replay = await me.post("/redemptions", { rewardId, quantity: 2 }, key);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(await coinsOf("yang-xue")).toBe(before - 80);
    expect(await remainingOf(rewardId)).toBe(3);
  });

  it("refusals: not enough coins, out of stock, over the per-person limit, unknown or withdrawn rewards, non-managers", async () => {
    await admin.post("/awards", { personId: "huang-tao", coins: 100, reason: "start" });
    const tao = await as("huang-tao", "manager");
    const dear = await reward({ price: 500 });
    const poor = await tao.post("/redemptions", { rewardId: dear });
    expect(poor.status).toBe(409);
    expect(poor.body).toMatchObject({ code: "insufficient-balance", asset: "coin", balance: 100, requested: 500, shortfall: 400 });

    const scarce = await reward({ price: 1, stock: 1 });
    expect((await tao.post("/redemptions", { rewardId: scarce })).status).toBe(201);
    const gone = await tao.post("/redemptions", { rewardId: scarce });
    expect(gone.status).toBe(409);
    expect(gone.body).toMatchObject({ code: "out-of-stock", stock: 1, issued: 1, remaining: 0, requested: 1 });
    expect(gone.body.detail).toBe(`Only 0 of ${scarce} are left; 1 requested.`);

    const limited = await reward({ price: 1, stock: "unlimited", perPersonLimit: { count: 2, period: "month" } });
    expect((await tao.post("/redemptions", { rewardId: limited, quantity: 2 })).status).toBe(201);
    const over = await tao.post("/redemptions", { rewardId: limited });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: "redemption-limit-reached", limit: 2, period: "month", redeemed: 2, requested: 1 });
    expect(over.body.periodKey).toMatch(/^\d{4}-\d{2}$/);

    const unknown = await tao.post("/redemptions", { rewardId: "no-such-reward" });
    expect([unknown.status, unknown.body.code]).toEqual([404, "reward-not-found"]);
    const inactive = await reward({ price: 1, active: false });
    const off = await tao.post("/redemptions", { rewardId: inactive });
    expect([off.status, off.body.code]).toEqual([422, "reward-inactive"]);
    const asHr = await (await as("deng-hua", "hr")).post("/redemptions", { rewardId: scarce });
    expect([asHr.status, asHr.body.code]).toEqual([403, "forbidden"]);
    const noKey = await tao.post("/redemptions", { rewardId: scarce }, {});
    expect([noKey.status, noKey.body.code]).toEqual([400, "idempotency-key-missing"]);
    expect(await coinsOf("huang-tao")).toBe(100 - 1 - 2);
  });

  it("the last item redeemed by 30 people at once: exactly one succeeds, stock and coins never below zero", async () => {
    const rewardId = await reward({ name: { zh: "培训名额" }, price: 30, stock: 1 });
    const secondAdmin = await as("deng-hua", "admin");
    await Promise.all(
      demoPeople.map((p) =>
        (p.personId === "cao-yi" ? secondAdmin : admin).post("/awards", { personId: p.personId, coins: 30, reason: "兑换测试" }),
      ),
    );
    const before = new Map(await Promise.all(demoPeople.map(async (p) => [p.personId, await coinsOf(p.personId)] as const)));
    const clients = await Promise.all(demoPeople.map((p) => as(p.personId, "manager")));
    const responses = await Promise.all(clients.map((c) => c.post("/redemptions", { rewardId })));
    const won = responses.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    const lost = responses.filter((r) => r.status !== 201);
    expect(lost.map((r) => [r.status, r.body.code])).toEqual(Array.from({ length: 29 }, () => [409, "out-of-stock"]));
    expect(await remainingOf(rewardId)).toBe(0);
    const winner = won[0]?.body.entries[0].from.slice("person:".length) as string;
    for (const p of demoPeople) {
      expect(await coinsOf(p.personId)).toBe((before.get(p.personId) ?? 0) - (p.personId === winner ? 30 : 0));
    }
  });

  it("an admin cancels a redemption: a reversal returns the coins and the stock, once", async () => {
    const rewardId = await reward({ name: { zh: "书籍" }, price: 25, stock: 1, perPersonLimit: { count: 1, period: "year" } });
    await admin.post("/awards", { personId: "wu-min", coins: 25, reason: "start" });
    const coins = await coinsOf("wu-min");
    const min = await as("wu-min", "manager");
    const redeemed = await min.post("/redemptions", { rewardId });
    expect(redeemed.status).toBe(201);
    const entryId = redeemed.body.redemption.entryId as string;
    expect(await remainingOf(rewardId)).toBe(0);
    const notAdmin = await min.post(`/redemptions/${entryId}/cancellation`, { reason: "x" });
    expect([notAdmin.status, notAdmin.body.code]).toEqual([403, "forbidden"]);
    const generic = await admin.post(`/ledger/${entryId}/reversal`, { reason: "x" });
    expect([generic.status, generic.body.code]).toEqual([409, "entry-corrected-elsewhere"]);
    const cancel = await admin.post(`/redemptions/${entryId}/cancellation`, { reason: "缺货，退回金币" });
    expect(cancel.status).toBe(201);
    expect(cancel.body.entries[0]).toMatchObject({ kind: "reversal", reverses: entryId, amount: 25, to: "person:wu-min" });
    expect(cancel.body.balances.coins).toBe(coins);
    expect(await remainingOf(rewardId)).toBe(1);
    const twice = await admin.post(`/redemptions/${entryId}/cancellation`, { reason: "again" });
    expect([twice.status, twice.body.code]).toEqual([409, "already-cancelled"]);
    // The per-person count came back too: the same person may redeem again this year.
    expect((await min.post("/redemptions", { rewardId })).status).toBe(201);
    for (const wrong of [cancel.body.entries[0].entryId, "person.wu-min.999", "garbage"]) {
      const response = await admin.post(`/redemptions/${wrong}/cancellation`, { reason: "x" });
      expect([response.status, response.body.code]).toEqual([404, "redemption-not-found"]);
    }
  });

  it("finance records a reward's hand-over once: the redeemer's history says when, and no coin or stock moves", async () => {
    const rewardId = await reward({ name: { zh: "保温杯", en: "Flask" }, price: 30, stock: 2 });
    await admin.post("/awards", { personId: "huang-tao", coins: 30, reason: "start" });
    const tao = await as("huang-tao", "manager");
    const redeemed = await tao.post("/redemptions", { rewardId });
    expect(redeemed.status).toBe(201);
    const entryId = redeemed.body.redemption.entryId as string;
    const coins = await coinsOf("huang-tao");
    const finance = await as("peng-li", "finance");

    const byManager = await tao.post(`/redemptions/${entryId}/collection`, undefined);
    expect([byManager.status, byManager.body.code]).toEqual([403, "forbidden"]);
    const key = { "idempotency-key": randomUUID() };
    const collected = await finance.post(`/redemptions/${entryId}/collection`, undefined, key);
    expect(collected.status, JSON.stringify(collected.body)).toBe(201);
    expect(collected.body.redemption).toMatchObject({ entryId, personId: "huang-tao", rewardId, quantity: 1, collectedBy: "peng-li" });
    const retried = await finance.post(`/redemptions/${entryId}/collection`, undefined, key);
    expect([retried.status, retried.headers["idempotent-replayed"], retried.body]).toEqual([201, "true", collected.body]);
    const again = await admin.post(`/redemptions/${entryId}/collection`, undefined);
    expect([again.status, again.body.code, again.body.collectedAt]).toEqual([
      409,
      "already-collected",
      collected.body.redemption.collectedAt,
    ]);
    // A reward handed over is not refunded: the cancellation is refused and the coins stay spent.
    const cancel = await admin.post(`/redemptions/${entryId}/cancellation`, { reason: "x" });
    expect([cancel.status, cancel.body.code]).toEqual([409, "already-collected"]);

    const history = (await tao.get("/people/huang-tao/ledger?limit=5")).body.entries as { entryId: string; collected?: unknown }[];
    expect(history.find((e) => e.entryId === entryId)?.collected).toEqual({
      collectedAt: collected.body.redemption.collectedAt,
      collectedBy: "peng-li",
    });
    expect(await coinsOf("huang-tao")).toBe(coins);
    expect(await remainingOf(rewardId)).toBe(1);
  });

  it("refuses to hand over a cancelled redemption, and anything that is not a redemption", async () => {
    const rewardId = await reward({ price: 10, stock: 1 });
    await admin.post("/awards", { personId: "wu-min", coins: 10, reason: "start" });
    const redeemed = await (await as("wu-min", "manager")).post("/redemptions", { rewardId });
    const entryId = redeemed.body.redemption.entryId as string;
    const cancel = await admin.post(`/redemptions/${entryId}/cancellation`, { reason: "缺货" });
    expect(cancel.status).toBe(201);
    const finance = await as("peng-li", "finance");
    const collected = await finance.post(`/redemptions/${entryId}/collection`, undefined);
    expect([collected.status, collected.body.code]).toEqual([409, "already-cancelled"]);
    for (const wrong of [cancel.body.entries[0].entryId, "person.wu-min.999", "garbage"]) {
      const response = await finance.post(`/redemptions/${wrong}/collection`, undefined);
      expect([response.status, response.body.code]).toEqual([404, "redemption-not-found"]);
    }
  });

  it("after all of the above, every ledger invariant holds", async () => {
    expect(await ledgerProblems()).toEqual([]);
  });
});
