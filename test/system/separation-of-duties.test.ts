/**
 * Attacks by a privileged insider (docs/SECURITY.md, "Separation of duties"): each self-dealing
 * path is refused with its own problem code, the ledger is unchanged and verifies clean.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { periodKey } from "../../domain/kernel/periods.ts";
import { IndexRead, IndexVersion } from "../../functions/http/answers/leaderboards.ts";
import { SourceView } from "../../functions/http/answers.ts";
import { GetSourceAnswer } from "../../functions/http/areas/admin.routes.ts";
import { GetRewardAnswer } from "../../functions/http/areas/fund.routes.ts";
import { SourceDryRunAnswer } from "../../functions/http/areas/webhooks.routes.ts";
import { as, type Client } from "../support/api.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const mallory = await withDemoOrg(); // cao-yi: admin, and a manager who can redeem
const other = await as("chen-jian", "admin");
const coinsOf = async (personId: string) => (await other.get(`/people/${personId}/balances`)).body.coins as number;

async function source(by: Client, sourceId: string, type: string): Promise<string> {
  const response = await by.put(`/admin/sources/${sourceId}`, { name: sourceId, eventTypes: [{ type }] });
  expect(response.status).toBe(200);
  return response.body.secret;
}

async function rule(by: Client, ruleId: string, eventType: string, award: object) {
  return by.put(`/admin/rules/${ruleId}`, { name: { zh: ruleId, en: ruleId }, eventType, trigger: { kind: "each" }, award });
}

/** Sends one event and returns its result, with the subject's coins before and after. */
async function attempt(sourceId: string, secret: string, type: string, subject: string) {
  const before = await coinsOf(subject);
  const response = await deliver(sourceId, cloudEvent(type, subject, {}), { secret });
  expect(response.status).toBe(200);
  return { result: response.body.results[0], before, after: await coinsOf(subject) };
}

afterAll(async () => {
  expect(await ledgerProblems()).toEqual([]);
});

describe("an admin cannot pay themselves through webhooks", () => {
  it("a source's author signing an event about themselves is refused: self-authored-source", async () => {
    const secret = await source(mallory, "mallory-src", "com.attack.bonus");
    expect((await rule(other, "attack-bonus", "com.attack.bonus", { coins: 5000 })).status).toBe(200);
    const { result, before, after } = await attempt("mallory-src", secret, "com.attack.bonus", "cao-yi");
    expect(result).toMatchObject({ status: "rejected", problem: { status: 403, code: "self-authored-source" } });
    expect(after).toBe(before);
  });

  it("a rule's author is not paid by it, even through another admin's source: self-authored-rule", async () => {
    const secret = await source(other, "other-src", "com.attack.rule");
    expect((await rule(mallory, "mallory-rule", "com.attack.rule", { coins: 5000 })).status).toBe(200);
    const refused = await attempt("other-src", secret, "com.attack.rule", "cao-yi");
    expect(refused.result).toMatchObject({ status: "rejected", problem: { code: "self-authored-rule", ruleId: "mallory-rule" } });
    expect(refused.after).toBe(refused.before);
    const paid = await attempt("other-src", secret, "com.attack.rule", "yang-xue");
    expect([paid.result.status, paid.after - paid.before]).toEqual(["accepted", 5000]);
  });

  it("a badge's author is not given its levels: self-authored-badge", async () => {
    const secret = await source(other, "badge-src", "com.attack.badge");
    expect((await rule(other, "badge-steps", "com.attack.badge", { points: { capability: "tool-operation", amount: 1 } })).status).toBe(
      200,
    );
    const badge = await mallory.put("/admin/badges/mallory-badge", {
      name: { zh: "徽章", en: "Badge" },
      description: { zh: "徽章", en: "Badge" },
      imageUrl: "https://laurel.example.com/badges/b.svg",
      capability: "tool-operation",
      levels: [
        {
          level: 1,
          name: { zh: "一级", en: "One" },
          criteria: [{ kind: "ruleCount", ruleId: "badge-steps", atLeast: 1 }],
          grants: { coins: 500 },
        },
      ],
    });
    expect(badge.status).toBe(200);
    const { result, before, after } = await attempt("badge-src", secret, "com.attack.badge", "cao-yi");
    expect(result).toMatchObject({ status: "rejected", problem: { code: "self-authored-badge", badgeId: "mallory-badge" } });
    expect(after).toBe(before);
  });
});

describe("nobody acts on their own chain", () => {
  it("awarding or fining oneself is refused: self-award, self-deduction", async () => {
    const before = await coinsOf("cao-yi");
    const award = await mallory.post("/awards", { personId: "cao-yi", coins: 5000, reason: "bonus" });
    const fine = await mallory.post("/deductions", { personId: "cao-yi", coins: 1, reason: "fine" });
    expect([award.status, award.body.code, fine.status, fine.body.code]).toEqual([403, "self-award", 403, "self-deduction"]);
    expect(await coinsOf("cao-yi")).toBe(before);
  });

  it("reversing one's own fine is refused, and the penalty stays: self-reversal", async () => {
    await other.post("/awards", { personId: "cao-yi", coins: 50, reason: "季度奖励" });
    const fine = await other.post("/deductions", { personId: "cao-yi", coins: 30, reason: "违规", category: "red" });
    expect(fine.status).toBe(201);
    const before = await coinsOf("cao-yi");
    const reversal = await mallory.post(`/ledger/${fine.body.entries[0].entryId}/reversal`, { reason: "mistake" });
    expect([reversal.status, reversal.body.code]).toEqual([403, "self-reversal"]);
    expect(await coinsOf("cao-yi")).toBe(before);
  });

  it("retracting, for its source, an event that paid oneself is refused: self-reversal", async () => {
    const secret = await source(other, "retract-src", "com.attack.retract");
    expect((await rule(other, "retract-rule", "com.attack.retract", { coins: 20 })).status).toBe(200);
    const event = cloudEvent("com.attack.retract", "cao-yi", {});
    expect((await deliver("retract-src", event, { secret })).body.results[0].status).toBe("accepted");
    const before = await coinsOf("cao-yi");
    const url = `/admin/sources/retract-src/events/${event.id}/retraction`;
    const own = await mallory.post(url, { reason: "mistake" });
    expect([own.status, own.body.code]).toEqual([403, "self-reversal"]);
    expect(await coinsOf("cao-yi")).toBe(before);
    const byAnother = await other.post(url, { reason: "mistake" });
    expect([byAnother.status, (await coinsOf("cao-yi")) - before]).toEqual([200, -20]);
  });

  it("cancelling one's own redemption is refused: self-cancellation", async () => {
    const manager = await as("cao-yi", "manager", "admin");
    await other.post("/awards", { personId: "cao-yi", coins: 100, reason: "奖励" });
    expect((await mallory.put("/admin/rewards/mug", { name: { zh: "杯子", en: "Mug" }, price: 40, stock: 5 })).status).toBe(200);
    const redeemed = await manager.post("/redemptions", { rewardId: "mug" });
    expect(redeemed.status).toBe(201);
    const before = await coinsOf("cao-yi");
    const cancel = await mallory.post(`/redemptions/${redeemed.body.redemption.entryId}/cancellation`, { reason: "changed my mind" });
    expect([cancel.status, cancel.body.code]).toEqual([403, "self-cancellation"]);
    expect(await coinsOf("cao-yi")).toBe(before);
  });

  it("recording the hand-over of one's own redemption is refused: self-collection", async () => {
    const finance = await as("peng-li", "manager", "finance");
    await other.post("/awards", { personId: "peng-li", coins: 40, reason: "奖励" });
    expect((await mallory.put("/admin/rewards/pen", { name: { zh: "钢笔", en: "Pen" }, price: 40, stock: 5 })).status).toBe(200);
    const redeemed = await finance.post("/redemptions", { rewardId: "pen" });
    expect(redeemed.status).toBe(201);
    const entryId = redeemed.body.redemption.entryId as string;
    const own = await finance.post(`/redemptions/${entryId}/collection`, undefined);
    expect([own.status, own.body.code]).toEqual([403, "self-collection"]);
    expect((await finance.get("/people/peng-li/ledger?limit=3")).body.entries[0].collected).toBeUndefined();
  });
});

describe("four eyes on definition changes", () => {
  const saved = { kinds: process.env.FOUR_EYES_KINDS, above: process.env.FOUR_EYES_RULE_AWARD_ABOVE };
  beforeAll(() => {
    Object.assign(process.env, { FOUR_EYES_KINDS: "gate,reward,badge", FOUR_EYES_RULE_AWARD_ABOVE: "1000" });
  });
  afterAll(() => {
    for (const [name, value] of [
      ["FOUR_EYES_KINDS", saved.kinds],
      ["FOUR_EYES_RULE_AWARD_ABOVE", saved.above],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  it("a big rule waits for a second admin: visible, dry-runnable, paying nothing until approved", async () => {
    const secret = await source(await as("gao-bo", "admin"), "four-eyes-src", "com.attack.big");
    const proposed = await rule(mallory, "big-bonus", "com.attack.big", { coins: 5000 });
    expect([proposed.status, proposed.body.status, proposed.body.proposal, proposed.body.proposedBy]).toEqual([
      202,
      "pending",
      1,
      "cao-yi",
    ]);
    const read = await other.get("/admin/rules/big-bonus");
    expect([read.body.version, read.body.pending.definition.award]).toEqual([0, { coins: 5000 }]);
    const dry = await other.post("/admin/rules/big-bonus/dry-run", {
      events: [{ id: "d1", type: "com.attack.big", subject: "yang-xue", data: {} }],
      pending: true,
    });
    expect([dry.status, dry.body.rule.version, dry.body.results[0].grants[0].coins]).toEqual([200, 1, 5000]);
    const before = await attempt("four-eyes-src", secret, "com.attack.big", "yang-xue");
    expect([before.result.status, before.after - before.before]).toEqual(["accepted", 0]);

    const own = await mallory.post("/admin/rules/big-bonus/approval", { proposal: 1 });
    expect([own.status, own.body.code]).toEqual([403, "self-approval"]);
    const stale = await other.post("/admin/rules/big-bonus/approval", { proposal: 2 });
    expect([stale.status, stale.body.code]).toEqual([409, "proposal-changed"]);
    const approved = await other.post("/admin/rules/big-bonus/approval", { proposal: 1 });
    expect([approved.status, approved.body.version, approved.body.updatedBy, approved.body.approvedBy]).toEqual([
      200,
      1,
      "cao-yi",
      "chen-jian",
    ]);
    expect((await other.get("/admin/rules/big-bonus")).body.pending).toBeUndefined();

    const paid = await attempt("four-eyes-src", secret, "com.attack.big", "yang-xue");
    expect(paid.after - paid.before).toBe(5000);
    // The approver stands behind the version as much as its author does.
    const approver = await attempt("four-eyes-src", secret, "com.attack.big", "chen-jian");
    expect(approver.result).toMatchObject({ status: "rejected", problem: { code: "self-authored-rule" } });
  });

  it("a small rule takes effect at once; every gate change waits and can be checked before approval", async () => {
    expect((await rule(mallory, "small-bonus", "com.attack.small", { coins: 10 })).status).toBe(200);
    const gate = { name: { zh: "门槛", en: "Gate" }, tier: "base", targetGrade: "中层", criteria: [{ kind: "points", atLeast: 1 }] };
    const proposed = await mallory.put("/admin/gates/four-eyes-gate", gate);
    expect([proposed.status, proposed.body.status, proposed.body.gateId]).toEqual([202, "pending", "four-eyes-gate"]);
    const hr = await as("deng-hua", "hr");
    expect((await hr.get("/admin/gates/four-eyes-gate")).body).toMatchObject({ version: 0, pending: { proposal: 1 } });
    const dry = await other.post("/eligibility-checks", { gateId: "four-eyes-gate", personIds: ["yang-xue"], pending: true });
    expect([dry.status, dry.body.gate.version, dry.body.results[0].personId]).toEqual([200, 1, "yang-xue"]);
    expect((await mallory.post("/admin/gates/four-eyes-gate/approval", { proposal: 1 })).body.code).toBe("self-approval");
    const approved = await other.post("/admin/gates/four-eyes-gate/approval", { proposal: 1 });
    expect([approved.status, approved.body.gateId, approved.body.approvedBy]).toEqual([200, "four-eyes-gate", "chen-jian"]);
  });

  it("a reward or a badge configured for four eyes is offered only once a second admin approves it", async () => {
    const proposed = await mallory.put("/admin/rewards/gold-card", { name: { zh: "金卡", en: "Gold card" }, price: 1, stock: 100 });
    expect([proposed.status, proposed.body.status]).toEqual([202, "pending"]);
    const offered = async () => (await other.get("/rewards")).body.rewards.map((r: { rewardId: string }) => r.rewardId);
    expect(await offered()).not.toContain("gold-card");
    const finance = await as("peng-li", "finance");
    const read = await finance.get("/admin/rewards/gold-card");
    expect(GetRewardAnswer.parse(read.body)).toMatchObject({
      version: 0,
      pending: { proposal: 1, proposedBy: "cao-yi", definition: { price: 1 } },
    });
    expect((await (await as("yang-xue", "manager")).get("/admin/rewards/gold-card")).status).toBe(403);
    expect((await mallory.post("/admin/rewards/gold-card/approval", { proposal: 1 })).body.code).toBe("self-approval");
    const approved = await other.post("/admin/rewards/gold-card/approval", { proposal: 1 });
    expect([approved.status, approved.body.version, approved.body.remaining]).toEqual([200, 1, 100]);
    expect(await offered()).toContain("gold-card");
    const approvedRead = (await finance.get("/admin/rewards/gold-card")).body;
    expect(GetRewardAnswer.parse(approvedRead)).toMatchObject({ rewardId: "gold-card", version: 1, remaining: 100 });
    expect(approvedRead.pending).toBeUndefined();

    const badge = await mallory.put("/admin/badges/four-eyes-badge", {
      name: { zh: "徽章", en: "Badge" },
      description: { zh: "徽章", en: "Badge" },
      imageUrl: "https://laurel.example.com/badges/b.svg",
      capability: "tool-operation",
      levels: [{ level: 1, name: { zh: "一级", en: "One" }, criteria: [{ kind: "ruleCount", ruleId: "small-bonus", atLeast: 1 }] }],
    });
    expect([badge.status, badge.body.status]).toEqual([202, "pending"]);
    expect((await other.post("/admin/badges/four-eyes-badge/approval", { proposal: 1 })).body).toMatchObject({
      version: 1,
      approvedBy: "chen-jian",
    });
  });
});

describe("four eyes on sources and pioneer indices", () => {
  const saved = process.env.FOUR_EYES_KINDS;
  beforeAll(() => {
    process.env.FOUR_EYES_KINDS = "source,index";
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.FOUR_EYES_KINDS;
    else process.env.FOUR_EYES_KINDS = saved;
  });
  const type = "com.attack.pending";

  it("a new source waits for a second admin; its author and approver are never paid by it", async () => {
    const proposed = await mallory.put("/admin/sources/pending-src", { name: "Pending", eventTypes: [{ type }] });
    expect([proposed.status, proposed.body.status, proposed.body.proposal, proposed.body.proposedBy]).toEqual([
      202,
      "pending",
      1,
      "cao-yi",
    ]);
    expect(proposed.body.secret).toBeUndefined();
    expect(GetSourceAnswer.parse((await other.get("/admin/sources/pending-src")).body)).toMatchObject({
      version: 0,
      pending: { proposal: 1, definition: { name: "Pending" } },
    });
    // Nothing can be signed for it: an unapproved source is unknown to the webhook.
    expect(
      (await deliver("pending-src", cloudEvent(type, "yang-xue", {}), { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" })).status,
    ).toBe(401);
    expect((await other.post("/admin/sources/pending-src/secrets", {})).status).toBe(404);

    const own = await mallory.post("/admin/sources/pending-src/approval", { proposal: 1 });
    expect([own.status, own.body.code]).toEqual([403, "self-approval"]);
    const approved = await other.post("/admin/sources/pending-src/approval", { proposal: 1 });
    expect(approved.status).toBe(200);
    expect(SourceView.parse(approved.body)).toMatchObject({
      version: 1,
      updatedBy: "cao-yi",
      approvedBy: "chen-jian",
      secrets: [],
    });
    const { records } = (await other.get(`/admin/audit?day=${periodKey(new Date(), "day")}&limit=1000`)).body;
    for (const [actor, outcome] of [
      ["cao-yi", "self-approval"],
      ["chen-jian", "200"],
    ])
      expect(records).toContainEqual(expect.objectContaining({ actor, action: "approveSource", targets: ["pending-src"], outcome }));

    // A third admin asks for the first secret: the version keeps its author and approver.
    const issued = await (await as("gao-bo", "admin")).post("/admin/sources/pending-src/secrets", {});
    expect([issued.status, issued.body.source.updatedBy, issued.body.source.approvedBy]).toEqual([201, "cao-yi", "chen-jian"]);
    expect((await rule(other, "pending-src-rule", type, { coins: 10 })).status).toBe(200);
    for (const author of ["cao-yi", "chen-jian", "gao-bo"]) {
      const { result, before, after } = await attempt("pending-src", issued.body.secret, type, author);
      expect([result.status, result.problem.code, after]).toEqual(["rejected", "self-authored-source", before]);
    }
    const paid = await attempt("pending-src", issued.body.secret, type, "yang-xue");
    expect([paid.result.status, paid.after - paid.before]).toEqual(["accepted", 10]);
  });

  it("a source's change applies only once approved, and can be dry-run before", async () => {
    const admin = await as("gao-bo", "admin");
    const { secret } = (await admin.post("/admin/sources/pending-src/secrets", { overlapHours: 1 })).body;
    const strict = {
      name: "Pending",
      eventTypes: [{ type, dataSchema: { type: "object", properties: { score: { type: "number" } }, required: ["score"] } }],
    };
    const proposed = await mallory.put("/admin/sources/pending-src", strict);
    expect([proposed.status, proposed.body.basedOn]).toEqual([202, 3]);

    const sample = { events: [cloudEvent(type, "yang-xue", {})] };
    const before = await coinsOf("yang-xue");
    const now = await other.post("/admin/sources/pending-src/dry-run", sample);
    const then = await other.post("/admin/sources/pending-src/dry-run", { ...sample, pending: true });
    expect([now.status, SourceDryRunAnswer.parse(now.body).results[0]]).toMatchObject([200, { status: "accepted", dryRun: true }]);
    expect(SourceDryRunAnswer.parse(then.body)).toMatchObject({ source: { version: 4 }, results: [{ status: "rejected" }] });
    expect(then.body.results[0].problem.code).toMatch(/^data-/);
    expect((await mallory.post("/admin/sources/pending-src/dry-run", sample)).status).toBe(200);
    const outsider = await as("yang-xue", "manager");
    expect((await outsider.post("/admin/sources/pending-src/dry-run", sample)).status).toBe(403);
    expect(await coinsOf("yang-xue")).toBe(before);

    // Until approved, the current version decides; the author cannot approve.
    expect((await attempt("pending-src", secret, type, "yang-xue")).result.status).toBe("accepted");
    expect((await mallory.post("/admin/sources/pending-src/approval", { proposal: 2 })).body.code).toBe("self-approval");
    const approved = await other.post("/admin/sources/pending-src/approval", { proposal: 2 });
    expect([approved.status, approved.body.version, approved.body.secrets.length]).toEqual([200, 4, 2]);
    expect(GetSourceAnswer.parse((await other.get("/admin/sources/pending-src")).body)).toMatchObject({
      version: 4,
      approvedBy: "chen-jian",
    });
    // The secrets it had still sign; the approved schema now refuses the same event.
    const refused = await attempt("pending-src", secret, type, "yang-xue");
    expect([refused.result.status, refused.result.problem.code, refused.after]).toEqual([
      "rejected",
      then.body.results[0].problem.code,
      refused.before,
    ]);
  });

  it("a pioneer index change waits for a second admin before boards rank by it", async () => {
    const index = { name: { zh: "先锋指数", en: "Pioneer index" }, measures: [{ measure: "points", weight: 1 }] };
    const proposed = await mallory.put("/admin/indices/four-eyes-index", index);
    expect([proposed.status, proposed.body.status, proposed.body.proposal]).toEqual([202, "pending", 1]);
    expect(IndexRead.parse((await other.get("/admin/indices/four-eyes-index")).body)).toMatchObject({
      version: 0,
      pending: { proposal: 1, definition: index },
    });
    const ranked = () => other.get("/leaderboards?metric=index:four-eyes-index&period=all");
    expect((await ranked()).status).toBe(404);

    expect((await mallory.post("/admin/indices/four-eyes-index/approval", { proposal: 1 })).body.code).toBe("self-approval");
    const approved = await other.post("/admin/indices/four-eyes-index/approval", { proposal: 1 });
    expect(approved.status).toBe(200);
    expect(IndexVersion.parse(approved.body)).toMatchObject({
      version: 1,
      updatedBy: "cao-yi",
      approvedBy: "chen-jian",
      definition: index,
    });
    expect((await ranked()).body.index).toMatchObject({ indexId: "four-eyes-index", version: 1 });
    expect(IndexRead.parse((await other.get("/admin/indices/four-eyes-index")).body)).not.toHaveProperty("pending");
  });
});
