/**
 * Issuance budgets end to end: finance sets a unit's coin budget, rule awards from webhooks draw
 * on it in their own transaction, an award it cannot hold is refused (or issued and flagged under
 * the overspend policy), a retraction gives the coins back, and finance reads the standing as
 * JSON and CSV.
 */
import { describe, expect, it } from "vitest";
import { BudgetService } from "../../domain/budgets/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { periodKey } from "../../domain/kernel/periods.ts";
import { createAdapters } from "../../functions/dynamo/adapters.ts";
import { DynamoBudgetStore } from "../../functions/dynamo/stores/budget-store.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const finance = await as("peng-li", "finance");
const manager = await as("liu-yang", "manager");
const learning = "tianma-learning";
const secret = secrets[learning] as string;
const course = "com.tianma.learning.course.completed";
const month = periodKey(new Date(), "month", "Asia/Shanghai");

const coinsOf = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body.coins as number;
const standing = async (orgUnitId: string) =>
  ((await finance.get(`/budgets?period=${month}`)).body.budgets as { orgUnitId: string }[]).find((b) => b.orgUnitId === orgUnitId);
const passed = async (personId: string) => {
  const event = cloudEvent(course, personId, { courseId: `budget-${personId}`, score: 90 });
  return { event, result: (await deliver(learning, event, { secret })).body.results[0] };
};

describe("issuance budgets", () => {
  it("coins draw on the unit's budget until it cannot hold an award, which is refused with a per-event code and writes nothing", async () => {
    const set = await finance.put(`/budgets/store-east/${month}`, { coins: 50 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ orgUnitId: "store-east", period: month, coins: 50, drawn: 0, left: 50, whenExhausted: "refuse" });

    // A first course passed: 20 coins for the pass and 10 for the first course.
    expect((await passed("yang-xue")).result.status).toBe("accepted");
    const before = await coinsOf("huang-tao");
    const refused = (await passed("huang-tao")).result;
    expect(refused).toMatchObject({
      status: "rejected",
      problem: { status: 422, code: "budget-exhausted", orgUnitId: "store-east", left: 20, needed: 30 },
    });
    expect(await coinsOf("huang-tao")).toBe(before);
    expect(await standing("store-east")).toMatchObject({ drawn: 30, left: 20, overspent: 0 });
  });

  it("a unit without a budget draws on the nearest unit above that has one", async () => {
    expect((await finance.put(`/budgets/retail-ops/${month}`, { coins: 1000 })).status).toBe(200);
    expect((await passed("ma-chao")).result.status).toBe("accepted");
    expect(await standing("retail-ops")).toMatchObject({ drawn: 30, left: 970 });
  });

  it("under the overspend policy the award is issued, flagged in its answer and counted as overspent; a retraction gives the coins back", async () => {
    expect((await finance.put(`/budgets/store-east/${month}`, { coins: 50, whenExhausted: "overspend" })).body.version).toBe(2);
    const { event, result } = await passed("wu-min");
    expect(result.status).toBe("accepted");
    expect(result.notes).toContain(`Over budget: store-east ${month}, 10 coins.`);
    expect(await standing("store-east")).toMatchObject({ drawn: 50, left: 0, overspent: 10, forecast: expect.any(Number) });

    const retraction = await admin.post(`/admin/sources/${learning}/events/${event.id}/retraction`, { reason: "误报" });
    expect(retraction.status).toBeLessThan(300);
    expect(await standing("store-east")).toMatchObject({ drawn: 30, left: 20, overspent: 0 });
  });

  it("coins awarded by hand draw on the same budget: beyond it, refused and nothing written", async () => {
    expect((await finance.put(`/budgets/data-team/${month}`, { coins: 100 })).status).toBe(200);
    const award = (coins: number) =>
      admin.post("/awards", { personId: "he-ying", coins, reason: "数据看板上线" }, { "idempotency-key": `budget-hand-${coins}` });
    expect((await award(60)).status).toBe(201);
    const before = await coinsOf("he-ying");
    const refused = await award(50);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "budget-exhausted", left: 40, needed: 50 });
    expect(await coinsOf("he-ying")).toBe(before);
    expect(await standing("data-team")).toMatchObject({ drawn: 60, left: 40 });
  });

  it("finance sees the coins the unit's people hold and gets the standing as CSV; a manager may not read or set budgets", async () => {
    const held = (await Promise.all(["liu-yang", "yang-xue", "huang-tao", "wu-min"].map(coinsOf))).reduce((a, b) => a + b, 0);
    expect(await standing("store-east")).toMatchObject({ outstanding: held });

    const csv = await dispatch({
      method: "GET",
      url: `/budgets?period=${month}`,
      headers: { authorization: `Bearer ${finance.token}`, accept: "text/csv" },
    });
    expect(csv.headers?.["content-type"]).toBe("text/csv; charset=utf-8");
    const lines = String(csv.body)
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("orgUnitId,period,coins,drawn,left,overspent,burnPerDay,forecast,outstanding,asOf,day");
    expect(lines.find((l) => l.startsWith("store-east,"))).toMatch(new RegExp(`^store-east,${month},50,30,20,0,`));

    expect((await manager.get(`/budgets?period=${month}`)).status).toBe(403);
    expect((await manager.put(`/budgets/store-east/${month}`, { coins: 1 })).status).toBe(403);
    expect((await finance.put("/budgets/store-east/2026-13", { coins: 1 })).status).toBe(400);
    expect((await finance.put(`/budgets/no-such-unit/${month}`, { coins: 1 })).body.code).toBe("org-unit-not-found");
  });

  it("finance reads the standings as of a past day from the ledger, the same as the counters say for today, with CSV; a day not begun is refused", async () => {
    const today = periodKey(new Date(), "day", "Asia/Shanghai");
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const now = (await finance.get(`/budgets?period=${month}`)).body;
    expect(now.asOf).toBe(today);
    expect(
      (await finance.get(`/budgets?period=${month}&asOf=${today}`)).body.budgets.map(({ asOf: _, ...s }: { asOf: string }) => s),
    ).toEqual(now.budgets.map(({ asOf: _, ...s }: { asOf: string }) => s));
    // Today read from the ledger, by a service whose clock says tomorrow: the counters' figures, to the coin.
    const adapters = createAdapters("fund");
    const fromLedger = new BudgetService({
      definitions: adapters.definitions,
      store: new DynamoBudgetStore(adapters.ledgerStore),
      orgTree: () => adapters.directory.orgTree(),
      peopleIn: async (unit) =>
        (await Promise.all((await adapters.directory.orgTree()).subtree(unit).map((u) => adapters.directory.peopleIn(u)))).flat(),
      clock: { now: () => new Date(Date.now() + 86_400_000) },
      timeZone: "Asia/Shanghai",
    });
    const rebuilt = await fromLedger.report({ personId: "peng-li" as PersonId, roles: ["finance"] }, month, today);
    type Figures = { orgUnitId: string; drawn: number; overspent: number; left: number; outstanding: number };
    const figures = ({ orgUnitId, drawn, overspent, left, outstanding }: Figures) => ({ orgUnitId, drawn, overspent, left, outstanding });
    expect(rebuilt.budgets.map(figures)).toEqual(now.budgets.map(figures));
    expect(now.budgets.some((b: { drawn: number; outstanding: number }) => b.drawn > 0 && b.outstanding > 0)).toBe(true);

    // Yesterday, before any of this file's awards: nothing drawn, nothing held.
    const past = (await finance.get(`/budgets?period=${month}&asOf=${yesterday}`)).body;
    expect(past.asOf).toBe(yesterday);
    expect(past.budgets.map((b: { orgUnitId: string }) => b.orgUnitId)).toEqual(now.budgets.map((b: { orgUnitId: string }) => b.orgUnitId));
    for (const b of past.budgets) expect(b).toMatchObject({ drawn: 0, overspent: 0, outstanding: 0, burnPerDay: 0 });
    const csv = await dispatch({
      method: "GET",
      url: `/budgets?period=${month}&asOf=${yesterday}`,
      headers: { authorization: `Bearer ${finance.token}`, accept: "text/csv" },
    });
    expect(String(csv.body).trim().split("\r\n")[1]).toMatch(new RegExp(`,${yesterday}$`));
    const future = await finance.get(`/budgets?period=${month}&asOf=${tomorrow}`);
    expect([future.status, future.body.code]).toEqual([400, "as-of-in-future"]);
    expect((await finance.get(`/budgets?period=${month}&asOf=yesterday`)).status).toBe(400);
  });

  describe("hold for approval", () => {
    const approver = as("jiang-wen", "approver", "manager");
    const ids: Record<string, string> = {};
    let liangEvent: ReturnType<typeof cloudEvent> | undefined;
    const decide = async (
      personId: string,
      eventId: string,
      decision: "release" | "reject",
      reason: string,
      who?: Awaited<typeof approver>,
    ) => (who ?? (await approver)).post("/budgets/held-awards/decision", { personId, sourceId: learning, eventId, decision, reason });

    it("an award the budget cannot hold is kept for an approver, answered 202 held, moving nothing", async () => {
      expect((await finance.put(`/budgets/wh-north/${month}`, { coins: 40, whenExhausted: "hold" })).status).toBe(200);
      expect((await passed("gao-bo")).result.status).toBe("accepted");
      const before = await coinsOf("zheng-hui");
      const event = cloudEvent(course, "zheng-hui", { courseId: "budget-zheng-hui", score: 90 });
      ids["zheng-hui"] = event.id;
      const held = await deliver(learning, event, { secret });
      expect(held.status).toBe(202);
      expect(held.body.results[0]).toMatchObject({ status: "held", budget: { orgUnitId: "wh-north", period: month } });
      expect((await deliver(learning, event, { secret })).body.results[0].status).toBe("held");
      const liang = await passed("liang-yu");
      ids["liang-yu"] = liang.event.id;
      liangEvent = liang.event;
      expect(liang.result.status).toBe("held");
      expect(await coinsOf("zheng-hui")).toBe(before);
      expect(await standing("wh-north")).toMatchObject({ drawn: 30, left: 10, overspent: 0 });
      const listed = (await (await approver).get(`/budgets/wh-north/${month}/held-awards`)).body.heldAwards;
      expect(listed.map((a: { personId: string; status: string }) => `${a.personId}:${a.status}`)).toEqual([
        "zheng-hui:held",
        "liang-yu:held",
      ]);
      expect((await manager.get(`/budgets/wh-north/${month}/held-awards`)).status).toBe(403);
    });

    it("approvers list every budget's held awards without naming a unit or period, oldest first, a page at a time", async () => {
      const listed = async (query: string) => (await (await approver).get(`/budgets/held-awards${query}`)).body;
      const all = await listed("");
      expect(all.heldAwards.map((a: { personId: string; status: string }) => `${a.personId}:${a.status}`)).toEqual([
        "zheng-hui:held",
        "liang-yu:held",
      ]);
      expect(all.heldAwards[0]).toMatchObject({ eventId: ids["zheng-hui"], budget: { orgUnitId: "wh-north", period: month } });
      expect(all.cursor).toBeUndefined();
      const page = await listed("?limit=1");
      expect(page.heldAwards.map((a: { personId: string }) => a.personId)).toEqual(["zheng-hui"]);
      const next = await listed(`?limit=1&cursor=${page.cursor}`);
      expect(next.heldAwards.map((a: { personId: string }) => a.personId)).toEqual(["liang-yu"]);
      expect((await listed("?status=posted")).heldAwards).toEqual([]);
      expect((await finance.get("/budgets/held-awards")).status).toBe(200);
      const refused = await manager.get("/budgets/held-awards");
      expect([refused.status, refused.body.code, refused.body.heldAwards]).toEqual([403, "forbidden", undefined]);
      const forged = await (await approver).get(`/budgets/held-awards?status=posted&cursor=${page.cursor}`);
      expect([forged.status, forged.body.code]).toEqual([400, "invalid-cursor"]);
    });

    it("an approver releases one (posted once, overspent and flagged) and rejects another; four eyes, nothing twice", async () => {
      expect((await decide("zheng-hui", ids["zheng-hui"] as string, "release", "季度冲刺", finance)).body.code).toBe("self-release");
      const self = await as("zheng-hui", "approver");
      expect((await decide("zheng-hui", ids["zheng-hui"] as string, "release", "我自己", self)).body.code).toBe("self-release");
      expect((await decide("zheng-hui", "no-such-event", "release", "无", undefined)).body.code).toBe("held-award-not-found");

      const before = await coinsOf("zheng-hui");
      const released = await decide("zheng-hui", ids["zheng-hui"] as string, "release", "季度冲刺");
      expect(released.body).toMatchObject({ status: "posted", settled: { by: "jiang-wen", reason: "季度冲刺" } });
      expect(await coinsOf("zheng-hui")).toBe(before + 30);
      expect((await decide("zheng-hui", ids["zheng-hui"] as string, "release", "季度冲刺")).body.status).toBe("posted");
      expect(await coinsOf("zheng-hui")).toBe(before + 30);
      expect(await standing("wh-north")).toMatchObject({ drawn: 40, left: 0, overspent: 20 });

      const liang = await coinsOf("liang-yu");
      expect((await decide("liang-yu", ids["liang-yu"] as string, "reject", "预算已用完")).body).toMatchObject({ status: "rejected" });
      // The same event sent again: refused for good, whatever the budget holds.
      const resent = (await deliver(learning, liangEvent, { secret })).body.results[0];
      expect(resent.problem).toMatchObject({ status: 409, code: "award-rejected", reason: "预算已用完" });
      expect(await coinsOf("liang-yu")).toBe(liang);
      expect((await admin.get("/people/liang-yu/ledger?limit=5")).body.held).toEqual([
        expect.objectContaining({ eventId: ids["liang-yu"], status: "rejected", budget: { orgUnitId: "wh-north", period: month } }),
      ]);
      // The approvers' list moved with each decision: nothing left held, each under its outcome once.
      const listed = async (status: string) =>
        ((await (await approver).get(`/budgets/held-awards?status=${status}`)).body.heldAwards as { personId: string }[]).map(
          (a) => a.personId,
        );
      expect(await listed("held")).toEqual([]);
      expect(await listed("posted")).toEqual(["zheng-hui"]);
      expect(await listed("rejected")).toEqual(["liang-yu"]);
    });

    it("coins by hand beyond a holding budget are refused: there is no event to keep", async () => {
      const refused = await admin.post(
        "/awards",
        { personId: "song-jia", coins: 5, reason: "补录" },
        { "idempotency-key": "budget-hold-hand" },
      );
      expect([refused.status, refused.body.code]).toEqual([422, "budget-exhausted"]);
    });
  });
});
