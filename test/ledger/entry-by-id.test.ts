/**
 * One ledger entry by its id (GET /ledger/entries/{entryId}): what review evidence links to. An
 * admin, an approver or finance reads any entry; a manager their own and their team's; a refusal
 * says nothing of the entry, and an unknown entry is a 404 only to those who may read its chain.
 */
import { describe, expect, it } from "vitest";
import { as } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const award = await admin.post(
  "/awards",
  { personId: "yang-xue", coins: 30, points: { capability: "tool-operation", amount: 12 }, reason: "完成课程" },
  { "idempotency-key": "entry-by-id-award" },
);
const [coins, points] = award.body.entries as { entryId: string; hash: string }[];
const coinEntry = coins?.entryId as string;
const pointEntry = points?.entryId as string;

describe("a ledger entry by id", () => {
  it("an approver reads an entry: holder, asset, amount, reason and cause, who made it, its place in the hash chain", async () => {
    const approver = await as("jiang-wen", "approver", "manager");
    const { status, body } = await approver.get(`/ledger/entries/${coinEntry}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      entryId: coinEntry,
      holder: "person:yang-xue",
      kind: "award",
      asset: "coin",
      amount: 30,
      from: "system:issuer",
      to: "person:yang-xue",
      reason: "完成课程",
      actor: { kind: "person", personId: "cao-yi" },
      hash: coins?.hash,
      chainLength: 2,
    });
    expect(body.seq).toBe(Number(coinEntry.split(".").at(-1)));
    expect(body.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.reversedBy).toBeUndefined();
    const point = (await approver.get(`/ledger/entries/${pointEntry}`)).body;
    expect(point).toMatchObject({ asset: "point:tool-operation", amount: 12, seq: body.seq + 1, prevHash: body.hash });
  });

  it("finance and admins read it too, and see its reversal once it is reversed", async () => {
    const finance = await as("peng-li", "finance");
    expect((await finance.get(`/ledger/entries/${pointEntry}`)).status).toBe(200);
    const reversal = await admin.post(
      `/ledger/${pointEntry}/reversal`,
      { reason: "录入有误" },
      { "idempotency-key": "entry-by-id-reversal" },
    );
    expect(reversal.status).toBe(201);
    const read = (await admin.get(`/ledger/entries/${pointEntry}`)).body;
    expect(read).toMatchObject({ entryId: pointEntry, reversedBy: reversal.body.entries[0].entryId, chainLength: 3 });
    const undone = (await admin.get(`/ledger/entries/${reversal.body.entries[0].entryId}`)).body;
    expect(undone).toMatchObject({ kind: "reversal", reverses: pointEntry, reason: "录入有误" });
  });

  it("an entry a rule made names its event and says its cause, with its code and parameters, in both languages", async () => {
    const event = cloudEvent("com.tianma.learning.course.completed", "yang-xue", { courseId: "entry-by-id", score: 92 });
    const [result] = (await deliver("tianma-learning", event, { secret: secrets["tianma-learning"] as string })).body.results;
    const entryId = result.awards[0].entryId as string;
    const read = (await (await as("jiang-wen", "approver")).get(`/ledger/entries/${entryId}`)).body;
    expect(read).toMatchObject({
      entryId,
      actor: { kind: "source", sourceId: "tianma-learning", eventId: event.id },
      rule: { ruleId: result.awards[0].ruleId },
      cause: { code: expect.any(String), params: expect.objectContaining({ ruleId: result.awards[0].ruleId }) },
      explained: { zh: expect.any(String), en: expect.any(String) },
    });
  });

  it("a manager reads their own entries and their team's, and nobody else's: 403 with nothing of the entry", async () => {
    expect((await (await as("yang-xue", "manager")).get(`/ledger/entries/${coinEntry}`)).status).toBe(200);
    // yang-xue is in store-east, under wang-fang's retail-ops.
    expect((await (await as("wang-fang", "manager")).get(`/ledger/entries/${coinEntry}`)).status).toBe(200);
    const outsider = await as("xu-jing", "manager");
    const refused = await outsider.get(`/ledger/entries/${coinEntry}`);
    expect([refused.status, refused.body.code]).toEqual([403, "forbidden"]);
    expect(JSON.stringify(refused.body)).not.toMatch(/完成课程|amount|system:issuer/);
    // Whether the entry exists is not theirs to learn either.
    const unknown = await outsider.get("/ledger/entries/person.yang-xue.999");
    expect([unknown.status, unknown.body.code]).toEqual([403, "forbidden"]);
    const fund = await outsider.get("/ledger/entries/fund.innovation.1");
    expect([fund.status, fund.body.code]).toEqual([403, "forbidden"]);
  });

  it("an unknown entry is a 404 to those who may read its chain", async () => {
    const self = await (await as("yang-xue", "manager")).get("/ledger/entries/person.yang-xue.999");
    expect([self.status, self.body.code]).toEqual([404, "ledger-entry-not-found"]);
    for (const id of ["person.yang-xue.999", "person.nobody.1", "not-an-entry-id"]) {
      const { status, body } = await admin.get(`/ledger/entries/${id}`);
      expect([id, status, body.code]).toEqual([id, 404, "ledger-entry-not-found"]);
    }
  });
});
