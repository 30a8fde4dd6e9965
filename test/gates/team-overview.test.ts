import { describe, expect, it } from "vitest";
import { as } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";

const { admin } = await withDemoDefinitions();
await admin.post("/awards", { personId: "huang-tao", coins: 30, points: { capability: "tool-operation", amount: 120 }, reason: "seed" });

interface Member {
  personId: string;
  orgUnitId: string;
  isLead: boolean;
  coins: number;
  points: number;
  gate?: { gateId: string; eligible: boolean; met: number; total: number };
}

describe("a team in one request", () => {
  it("lists a lead's units in tree order, each unit's lead first, with balances and gate standing", async () => {
    const lead = await as("wang-fang", "manager");
    const answer = await lead.get("/org-units/retail-ops/team");
    expect(answer.status).toBe(200);
    const members = answer.body.members as Member[];
    expect(answer.body.units.map((u: { orgUnitId: string }) => u.orgUnitId)).toEqual(["retail-ops", "store-east", "store-south"]);
    expect(members.map((m) => m.personId)).toEqual(["liu-yang", "huang-tao", "wu-min", "yang-xue", "xu-jing", "hu-yan", "ma-chao"]);
    expect(members.filter((m) => m.isLead).map((m) => m.personId)).toEqual(["liu-yang", "xu-jing"]);
    const huang = members.find((m) => m.personId === "huang-tao");
    const balances = (await admin.get("/people/huang-tao/balances")).body;
    expect(balances.coins).toBeGreaterThanOrEqual(30);
    expect(huang).toMatchObject({ coins: balances.coins, points: 120, gate: { gateId: "base-to-middle", eligible: false } });
    expect(huang?.gate?.met).toBeGreaterThan(0);
    expect(huang?.gate?.met).toBeLessThan(huang?.gate?.total ?? 0);
  });

  it("shows a lead of a sub-team only the people they may read, and refuses a unit they do not lead", async () => {
    const liu = await as("liu-yang", "manager");
    const above = await liu.get("/org-units/retail-ops/team");
    expect(above.status).toBe(200);
    expect((above.body.members as Member[]).map((m) => m.personId)).toEqual(["huang-tao", "wu-min", "yang-xue"]);
    const other = await liu.get("/org-units/log-warehouse/team");
    expect([other.status, other.body.code]).toEqual([403, "forbidden"]);
    const member = await (await as("yang-xue", "manager")).get("/org-units/store-east/team");
    expect(member.status).toBe(403);
  });

  it("is open to hr for any unit, and an unknown unit is a 404", async () => {
    const hr = await as("deng-hua", "hr");
    expect((await hr.get("/org-units/fleet/team")).body.members.map((m: Member) => m.personId)).toEqual([
      "xie-kai",
      "feng-lan",
      "han-mei",
      "tang-jun",
    ]);
    expect((await hr.get("/org-units/nowhere/team")).status).toBe(404);
  });
});
