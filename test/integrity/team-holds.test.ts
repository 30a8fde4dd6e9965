/**
 * A team event while a review holds one of its members (docs/INTEGRITY.md, holding awards): the
 * held member's share is kept on the review item, the others are paid at once; the decision posts
 * the share once (dismiss) or rejects it (confirm), and the event sent again counts nothing twice.
 */
import { describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoReviewStore } from "../../functions/dynamo/stores/review-store.ts";
import { as } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

process.env.INTEGRITY = JSON.stringify({ holdFlagged: true });

const { admin, secrets } = await withDemoDefinitions();
const oa = "tianma-oa";
const secret = secrets[oa] as string;
const approver = await as("jiang-wen", "approver", "manager");
const reviews = new DynamoReviewStore(createDocumentClient(), tableNames.state);
// store-south's members: hu-yan, ma-chao, xu-jing. A closed bounty pays the team 300 coins and 150 points, split equally.
const team = ["hu-yan", "ma-chao", "xu-jing"];
const bounty = (bountyId: string) => cloudEvent("com.tianma.oa.bounty.closed", undefined, { team: "store-south", bountyId });

const coins = async () =>
  Object.fromEntries(await Promise.all(team.map(async (p) => [p, (await admin.get(`/people/${p}/balances`)).body.coins as number])));
const flag = async (flagId: string, personId: string) =>
  expect(
    await reviews.open({
      flagId,
      detector: "person-velocity",
      people: [personId as PersonId],
      raisedAt: new Date().toISOString(),
      figures: { today: 25, floor: 20 },
      entryIds: [],
      eventIds: [],
      explained: { zh: "测试", en: "test" },
      status: "open",
      held: [personId as PersonId],
    }),
  ).toBe(true);
const heldOn = async (flagId: string) =>
  ((await approver.get(`/admin/reviews/${flagId}`)).body.heldAwards as { personId: string; eventId: string; status: string }[]).map(
    (a) => `${a.personId}:${a.eventId}:${a.status}`,
  );

describe("a team event's award to a held member", () => {
  const dismissed = "person-velocity:ma-chao:team-hold";
  const confirmed = "person-velocity:hu-yan:team-hold";
  const first = bounty("team-hold-1");
  const second = bounty("team-hold-2");

  it("is kept on the review item while the other members are paid at once", async () => {
    await flag(dismissed, "ma-chao");
    const before = await coins();
    const { status, body } = await deliver(oa, first, { secret });
    expect(status).toBe(200);
    const [result] = body.results;
    expect(result).toMatchObject({ id: first.id, status: "accepted", held: [{ personId: "ma-chao", reviews: [dismissed] }] });
    const paid = result.awards.filter((a: { asset: string }) => a.asset === "coin");
    expect(paid.map((a: { personId: string; amount: number }) => `${a.personId}:${a.amount}`).sort()).toEqual([
      "hu-yan:100",
      "xu-jing:100",
    ]);
    expect(await coins()).toEqual({ ...before, "hu-yan": before["hu-yan"] + 100, "xu-jing": before["xu-jing"] + 100 });
    expect(await heldOn(dismissed)).toEqual([`ma-chao:${first.id}:held`]);
    const item = (await approver.get(`/admin/reviews/${dismissed}`)).body;
    expect(item.heldAwards[0]).toMatchObject({ type: "com.tianma.oa.bounty.closed", share: { members: team } });
    // The member's own history shows it waiting (待审核).
    const member = await as("ma-chao", "manager");
    expect((await member.get("/people/ma-chao/ledger?limit=5")).body.held).toEqual([
      expect.objectContaining({ eventId: first.id, status: "held", reviews: [dismissed] }),
    ]);
  });

  it("sent again while kept, is a duplicate that pays nobody again", async () => {
    const before = await coins();
    const again = (await deliver(oa, first, { secret })).body.results[0];
    expect(again.status).toBe("duplicate");
    expect(again.awards.filter((a: { asset: string }) => a.asset === "coin")).toHaveLength(2);
    expect(await coins()).toEqual(before);
    expect(await heldOn(dismissed)).toEqual([`ma-chao:${first.id}:held`]);
  });

  it("a dismissal posts the member's share once: the same split, the event named, nothing twice", async () => {
    const before = await coins();
    const decided = await approver.post(`/admin/reviews/${dismissed}/decision`, { decision: "dismiss", reason: "悬赏按时完成，非刷分" });
    expect(decided.status).toBe(200);
    expect(await heldOn(dismissed)).toEqual([`ma-chao:${first.id}:posted`]);
    expect(await coins()).toEqual({ ...before, "ma-chao": before["ma-chao"] + 100 });
    const history = (await admin.get("/people/ma-chao/ledger?limit=5")).body;
    expect(history.held).toBeUndefined();
    expect(history.entries.map((e: { asset: string; amount: number }) => `${e.asset}:${e.amount}`).sort()).toEqual([
      "coin:100",
      "point:growth-driving:50",
    ]);
    expect(history.entries[0].actor).toMatchObject({ kind: "source", sourceId: oa, eventId: first.id });
    // Decided again, or the event sent again: nothing more.
    const repeated = await approver.post(`/admin/reviews/${dismissed}/decision`, { decision: "dismiss", reason: "悬赏按时完成，非刷分" });
    expect([repeated.status, repeated.body.code]).toEqual([409, "review-closed"]);
    expect((await deliver(oa, first, { secret })).body.results[0].status).toBe("duplicate");
    expect(await coins()).toEqual({ ...before, "ma-chao": before["ma-chao"] + 100 });
  });

  it("a confirmation rejects the held member's share for good; the others keep theirs", async () => {
    await flag(confirmed, "hu-yan");
    const before = await coins();
    const result = (await deliver(oa, second, { secret })).body.results[0];
    expect(result).toMatchObject({ status: "accepted", held: [{ personId: "hu-yan", reviews: [confirmed] }] });
    expect(await coins()).toEqual({ ...before, "ma-chao": before["ma-chao"] + 100, "xu-jing": before["xu-jing"] + 100 });
    const decided = await approver.post(`/admin/reviews/${confirmed}/decision`, { decision: "confirm", reason: "与他人互刷悬赏" });
    expect(decided.status).toBe(200);
    expect(decided.body.heldAwards).toEqual([
      expect.objectContaining({
        personId: "hu-yan",
        eventId: second.id,
        status: "rejected",
        settled: expect.objectContaining({ reason: "与他人互刷悬赏" }),
      }),
    ]);
    expect((await deliver(oa, second, { secret })).body.results[0].status).toBe("duplicate");
    expect(await coins()).toEqual({ ...before, "ma-chao": before["ma-chao"] + 100, "xu-jing": before["xu-jing"] + 100 });
    expect((await admin.get("/people/hu-yan/ledger?limit=5")).body.held).toEqual([
      expect.objectContaining({ eventId: second.id, status: "rejected" }),
    ]);
  });

  it("a retraction of the event undoes a share posted on review with the others' awards", async () => {
    const flagId = "person-velocity:ma-chao:team-hold-again";
    await flag(flagId, "ma-chao");
    const before = await coins();
    const third = bounty("team-hold-3");
    expect((await deliver(oa, third, { secret })).body.results[0]).toMatchObject({ status: "accepted", held: [{ personId: "ma-chao" }] });
    await approver.post(`/admin/reviews/${flagId}/decision`, { decision: "dismiss", reason: "正常" });
    const paid = await coins();
    expect(paid).toEqual(Object.fromEntries(team.map((p) => [p, before[p] + 100])));
    const retracted = await admin.post(`/admin/sources/${oa}/events/${third.id}/retraction`, { reason: "悬赏重复结案" });
    expect(retracted.status).toBe(200);
    const undone = retracted.body.awards.filter((a: { asset: string }) => a.asset === "coin");
    expect(undone.map((a: { personId: string; kind: string }) => `${a.personId}:${a.kind}`).sort()).toEqual(
      team.map((p) => `${p}:reversal`),
    );
    expect(await coins()).toEqual(before);
  });

  it("a retraction while a share is held rejects it: the review's dismissal pays nothing of it", async () => {
    const flagId = "person-velocity:xu-jing:team-hold";
    await flag(flagId, "xu-jing");
    const before = await coins();
    const fourth = bounty("team-hold-4");
    expect((await deliver(oa, fourth, { secret })).body.results[0]).toMatchObject({ status: "accepted", held: [{ personId: "xu-jing" }] });
    expect((await admin.post(`/admin/sources/${oa}/events/${fourth.id}/retraction`, { reason: "结案有误" })).status).toBe(200);
    expect(await coins()).toEqual(before);
    expect(await heldOn(flagId)).toEqual([`xu-jing:${fourth.id}:rejected`]);
    const decided = await approver.post(`/admin/reviews/${flagId}/decision`, { decision: "dismiss", reason: "正常" });
    expect(decided.status).toBe(200);
    expect(await heldOn(flagId)).toEqual([`xu-jing:${fourth.id}:rejected`]);
    expect(await coins()).toEqual(before);
  });

  it("leaves every chain whole", async () => {
    expect(await ledgerProblems(team)).toEqual([]);
  });
});
