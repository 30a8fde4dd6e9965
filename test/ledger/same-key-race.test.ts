/**
 * A retry that reads the head its own first try moved, before that try's idempotency record shows:
 * a BatchGetItem is not isolated from a transaction as a whole, so it can return the new head
 * (the badge level held) and the key's record as it was (absent). The retry must still answer as
 * the first try did, not refuse what that try did (the chaos test met this once as a 409).
 */
import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { expect, it } from "vitest";
import { as } from "../support/api.ts";
import { aroundSend } from "../support/faults.ts";
import { ledgerProblems, storedChain } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";

const { admin } = await withDemoDefinitions();

/** Until restored: the next BatchGetItem that asks for this key's record answers without it. */
function hideRecordOnce(idempotencyKey: string): () => void {
  let hidden = false;
  return aroundSend(async (original, client, command, rest) => {
    const answer = (await original.call(client, command, ...rest)) as { Responses?: Record<string, Record<string, unknown>[]> };
    if (hidden || !(command instanceof BatchGetCommand) || !JSON.stringify(command.input).includes(idempotencyKey)) return answer;
    hidden = true;
    const responses = Object.entries(answer.Responses ?? {}).map(([table, items]) => [
      table,
      items.filter((item) => !String(item.pk).startsWith("IDEM#")),
    ]);
    return { ...answer, Responses: Object.fromEntries(responses) };
  });
}

it("a badge level awarded again under the same key, read with the head moved but no record yet, answers the first award", async () => {
  const key = { "idempotency-key": `same-key-${Date.now()}` };
  const body = { personId: "lin-feng", badge: { badgeId: "certification", level: 1 }, reason: "认证通过" };
  const first = await admin.post("/awards", body, key);
  expect(first.status).toBe(201);

  const restore = hideRecordOnce(key["idempotency-key"]);
  const again = await admin.post("/awards", body, key).finally(restore);
  expect([again.status, again.body.code]).toEqual([201, undefined]);
  expect(again.body.entries).toEqual(first.body.entries);
  expect((await storedChain("lin-feng")).entries.filter((e) => e.asset === "badge:certification:1")).toHaveLength(1);
  expect(await ledgerProblems()).toEqual([]);
});

it("the last of a reward redeemed again under the same key, read with the stock gone but no record yet, answers the first redemption", async () => {
  const rewardId = `last-one-${Date.now()}`;
  expect((await admin.put(`/admin/rewards/${rewardId}`, { name: { zh: "最后一张", en: "The last one" }, price: 1, stock: 1 })).status).toBe(
    200,
  );
  expect((await admin.post("/awards", { personId: "yang-xue", coins: 5, reason: "奖励" })).status).toBe(201);
  const manager = await as("yang-xue", "manager");
  const key = { "idempotency-key": `same-key-redeem-${Date.now()}` };
  const first = await manager.post("/redemptions", { rewardId }, key);
  expect(first.status, JSON.stringify(first.body)).toBe(201);

  const restore = hideRecordOnce(key["idempotency-key"]);
  const again = await manager.post("/redemptions", { rewardId }, key).finally(restore);
  expect([again.status, again.body.code]).toEqual([201, undefined]);
  expect(again.body).toEqual(first.body);
  expect(await ledgerProblems()).toEqual([]);
});
