/**
 * Leavers and movers, as HR, admins and leads see them: a leaver's wallet is frozen and their
 * history kept; a transfer or a new lead changes who reads whom on the very next request.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { periodKey } from "../../domain/kernel/periods.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { as } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const hr = await as("deng-hua", "hr");
const lead = await as("liu-yang", "manager");
const course = "com.tianma.learning.course.completed";
const learning = "tianma-learning";

const placement = (personId: string) => {
  const { roles: _roles, personId: _id, ...input } = demoPeople.find((p) => p.personId === personId) as (typeof demoPeople)[number];
  return input;
};
const coinsOf = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body.coins as number;
const auditOf = async (action: string) =>
  (await admin.get(`/admin/audit?day=${periodKey(new Date(), "day")}&limit=200`)).body.records.filter(
    (r: { action: string }) => r.action === action,
  );

describe("a leaver", () => {
  it("has a frozen wallet: awards, events, redemptions, claims and bounties are refused, the balance kept", async () => {
    await admin.post("/awards", { personId: "wu-min", coins: 80, reason: "季度之星" });
    const left = await admin.post("/admin/people/wu-min/deactivation", {});
    expect(left.status).toBe(200);
    expect(left.body.leftAt).toEqual(expect.any(String));

    const award = await admin.post("/awards", { personId: "wu-min", coins: 5, reason: "补发" });
    expect([award.status, award.body.code]).toEqual([409, "person-inactive"]);
    const penalty = await admin.post("/deductions", { personId: "wu-min", coins: 5, category: "warning", reason: "黄色预警" });
    expect([penalty.status, penalty.body.code]).toEqual([409, "person-inactive"]);

    const batch = [
      cloudEvent(course, "wu-min", { courseId: "ai-7", score: 95 }),
      cloudEvent(course, "huang-tao", { courseId: "ai-7", score: 95 }),
    ];
    const events = await deliver(learning, batch, { secret: secrets[learning] as string });
    expect(events.body.results.map((r: { status: string; problem?: { code: string } }) => [r.status, r.problem?.code])).toEqual([
      ["rejected", "person-inactive"],
      ["accepted", undefined],
    ]);

    const me = await as("wu-min", "manager");
    await admin.put("/admin/rewards/card", { name: { zh: "学习卡" }, price: 10, stock: 10 });
    const redemption = await me.post("/redemptions", { rewardId: "card" });
    expect([redemption.status, redemption.body.code]).toEqual([409, "person-inactive"]);
    const finance = await as("peng-li", "finance");
    const fundId = `f-${randomUUID().slice(0, 8)}`;
    await finance.post("/funds", {
      fundId,
      name: "基金",
      currency: "CNY",
      period: "2026",
      limits: { perClaim: 100_000, perPersonInPeriod: 100_000 },
      twoApprovalsAbove: 50_000,
    });
    await finance.post(`/funds/${fundId}/deposits`, { amount: 100_000, reason: "拨付" });
    const claim = await lead.post(`/funds/${fundId}/claims`, {
      scenario: "门店 AR 试妆",
      measuredValue: "转化率 +12%",
      evidence: ["https://bi.tianma.example/ar"],
      amount: 1000,
      split: { by: "amount", parts: [{ personId: "wu-min", amount: 1000 }] },
    });
    expect([claim.status, claim.body.code, claim.body.personId]).toEqual([409, "person-inactive", "wu-min"]);
    const bounty = await admin.post("/bounties", {
      title: { zh: "门店缺货预警模型", en: "Store stock-out warning model" },
      description: { zh: "用 BI 数据提前三天预警缺货", en: "Warn of stock-outs three days ahead from BI data" },
      capability: "data-assurance",
      reward: { coins: 100, points: 50 },
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    const taken = await lead.post(`/bounties/${bounty.body.bounty.bountyId}/teams`, {
      members: [
        { personId: "liu-yang", share: 50 },
        { personId: "wu-min", share: 50 },
      ],
    });
    expect(bounty.status, JSON.stringify(bounty.body)).toBe(201);
    expect([taken.status, taken.body.code]).toEqual([409, "person-inactive"]);

    expect(await coinsOf("wu-min")).toBe(80);
    expect((await hr.get("/people/wu-min/ledger")).body.entries.length).toBeGreaterThan(0);
  });

  it("is no longer their lead's to read, nor on the team's boards; HR and admins still read everything", async () => {
    await admin.post("/admin/people/huang-tao/deactivation", {});
    expect((await lead.get("/people/huang-tao/balances")).status).toBe(403);
    expect((await hr.get("/people/huang-tao/balances")).status).toBe(200);
    const team = (await lead.get("/org-units/store-east/people")).body.people.map((p: { personId: string }) => p.personId);
    expect(team).not.toContain("huang-tao");
    const forHr = (await hr.get("/org-units/store-east/people")).body.people;
    expect(forHr).toContainEqual(expect.objectContaining({ personId: "huang-tao", leftAt: expect.any(String) }));
    const board = (await lead.get("/leaderboards?orgUnit=store-east")).body.entries.map((e: { personId: string }) => e.personId);
    expect(board).not.toContain("huang-tao");
  });

  it("thaws on reactivation, and both steps are in the audit trail", async () => {
    await admin.post("/admin/people/yang-xue/deactivation", {});
    const again = await admin.post("/admin/people/yang-xue/deactivation", {});
    expect(again.status).toBe(200);
    const back = await admin.post("/admin/people/yang-xue/reactivation", {});
    expect(back.status).toBe(200);
    expect(back.body.leftAt).toBeUndefined();
    expect((await admin.post("/awards", { personId: "yang-xue", coins: 7, reason: "回归奖励" })).status).toBe(201);
    expect((await lead.get("/people/yang-xue/balances")).status).toBe(200);
    expect(await auditOf("person.deactivated")).toContainEqual(
      expect.objectContaining({ actor: "cao-yi", targets: ["yang-xue"], outcome: "ok" }),
    );
    expect(await auditOf("person.reactivated")).toContainEqual(expect.objectContaining({ targets: ["yang-xue"], outcome: "ok" }));
    expect(await auditOf("person.unchanged")).toContainEqual(expect.objectContaining({ targets: ["yang-xue"] }));
  });

  it("a PUT of the person's other details does not bring them back", async () => {
    await admin.post("/admin/people/xu-jing/deactivation", {});
    const put = await admin.put("/admin/people/xu-jing", { ...placement("xu-jing"), name: "徐静（离职）" });
    expect(put.body.leftAt).toEqual(expect.any(String));
    expect((await admin.post("/awards", { personId: "xu-jing", coins: 1, reason: "x" })).body.code).toBe("person-inactive");
  });

  it("deactivating someone unknown is a 404, and only admins do it", async () => {
    expect((await admin.post("/admin/people/ghost/deactivation", {})).status).toBe(404);
    expect((await hr.post("/admin/people/liu-yang/deactivation", {})).status).toBe(403);
  });
});

describe("a mover", () => {
  it("is read by the new unit's lead and no longer by the old one's, from the next request", async () => {
    const oldLead = await as("guo-peng", "manager");
    const newLead = await as("xie-kai", "manager");
    expect((await oldLead.get("/people/he-ying/balances")).status).toBe(200);
    expect((await newLead.get("/people/he-ying/balances")).status).toBe(403);
    const moved = await admin.put("/admin/people/he-ying", { ...placement("he-ying"), orgUnitId: "fleet", managerId: "xie-kai" });
    expect(moved.status).toBe(200);
    expect((await newLead.get("/people/he-ying/balances")).status).toBe(200);
    expect((await oldLead.get("/people/he-ying/balances")).status).toBe(403);
    expect(await auditOf("person.transferred")).toContainEqual(
      expect.objectContaining({
        actor: "cao-yi",
        targets: ["he-ying"],
        details: expect.objectContaining({ orgUnitId: ["data-team", "fleet"], managerId: ["guo-peng", "xie-kai"] }),
      }),
    );
  });

  it("a new lead of a unit reads its people on the next request, the old lead no longer", async () => {
    const unit = { name: "华东门店组", kind: "team", parentId: "retail-ops" };
    expect((await lead.get("/people/yang-xue/balances")).status).toBe(200);
    expect((await admin.put("/admin/org-units/store-east", { ...unit, leadId: "wu-min" })).status).toBe(200);
    expect((await lead.get("/people/yang-xue/balances")).status).toBe(403);
    expect((await (await as("wu-min", "manager")).get("/people/yang-xue/balances")).status).toBe(200);
    await admin.put("/admin/org-units/store-east", { ...unit, leadId: "liu-yang" });
    expect((await lead.get("/people/yang-xue/balances")).status).toBe(200);
  });
});
