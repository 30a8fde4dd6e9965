import { type DynamoDBDocumentClient, PutCommand, type QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { rebuildProjections, verifyAll } from "../../functions/dynamo/maintenance.ts";
import { tableNames } from "../support/env.ts";
import { store } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const db = createDocumentClient();
const { admin, secrets } = await withDemoDefinitions();
for (const personId of ["yang-xue", "wu-min", "huang-tao"]) {
  await admin.post("/awards", { personId, coins: 40, points: { capability: "tool-operation", amount: 35 }, reason: "seed" });
  await admin.post("/deductions", { personId, coins: 5, reason: "seed penalty" });
}
// Entries with a cause (rules, a badge level) beside entries without one, in the same chains.
for (const courseId of ["c1", "c2", "c3"]) {
  const event = cloudEvent("com.tianma.learning.course.completed", "wu-min", { courseId, score: 95 });
  expect((await deliver("tianma-learning", event, { secret: secrets["tianma-learning"] as string })).status).toBe(200);
}

describe("verify", () => {
  it("finds every invariant holding on an untouched ledger", async () => {
    const result = await verifyAll(db, tableNames);
    expect(result.problems).toEqual([]);
    expect(result.chains).toBeGreaterThanOrEqual(3);
  });

  it("finds entries with and without a cause in one chain, and names one whose cause was edited", async () => {
    const chain = await Array.fromAsync(store.readChain("person:wu-min"));
    const caused = chain.find((e) => e.cause?.code === "rule");
    expect(chain.some((e) => e.cause === undefined)).toBe(true);
    if (!caused) throw new Error("no entry with a cause");
    const forged = { ...caused, cause: { code: "retraction", params: { sourceId: "x", eventId: "y" } } };
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(caused.holder, caused.seq), ...forged } }));
    const { problems } = await verifyAll(db, tableNames);
    expect(problems).toContainEqual({ holder: "person:wu-min", entryId: caused.entryId, problem: "content does not match its hash" });
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(caused.holder, caused.seq), ...caused } }));
    expect((await verifyAll(db, tableNames)).problems).toEqual([]);
  });

  it("names the tampered entry when someone edits the ledger behind Laurel's back", async () => {
    const [, second] = await Array.fromAsync(store.readChain("person:wu-min"));
    if (!second) throw new Error("no second entry");
    await db.send(
      new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(second.holder, second.seq), ...second, amount: 9_999 } }),
    );
    const { problems } = await verifyAll(db, tableNames);
    expect(problems).toContainEqual({ holder: "person:wu-min", entryId: second.entryId, problem: "content does not match its hash" });
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(second.holder, second.seq), ...second } }));
    expect((await verifyAll(db, tableNames)).problems).toEqual([]);
  });
});

describe("the scheduled verifier", () => {
  it("reports the chains and entries it checked while the ledger holds, and fails naming the broken chain when it does not", async () => {
    const { handler: verifier } = await import("../../functions/background/verifier.ts");
    const { lambdaContext } = await import("../../scripts/local/lambda.ts");
    const handler = () => verifier({}, lambdaContext("verifier"));
    const { chains, entries } = await verifyAll(db, tableNames);
    expect(await handler()).toEqual({ chains, entries });
    const [first] = await Array.fromAsync(store.readChain("person:yang-xue"));
    if (!first) throw new Error("no entry");
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(first.holder, first.seq), ...first, amount: 1 } }));
    await expect(handler()).rejects.toThrow(/invariant\(s\) broken; first: person:yang-xue/);
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(first.holder, first.seq), ...first } }));
  });
});

/**
 * The client, but once it has answered a read of this person's chain head, or of their entries,
 * an award lands before the answer reaches the verifier: a write between two of its reads.
 */
function awardAfterRead(personId: string, read: "head" | "entries"): DynamoDBDocumentClient {
  let landed = false;
  const chain = keys.chain(`person:${personId}` as never);
  const headKey = keys.head(`person:${personId}` as never).pk;
  const racing = Object.create(db) as DynamoDBDocumentClient;
  racing.send = (async (command: QueryCommand) => {
    const answer = (await db.send(command)) as { Items?: { pk?: unknown }[] };
    const input = command.input;
    const hit =
      read === "head"
        ? input.TableName === tableNames.state && input.ExpressionAttributeValues?.[":pk"] === headKey
        : input.TableName === tableNames.ledger && (answer.Items ?? []).some((item) => item.pk === chain);
    if (!landed && hit) {
      landed = true;
      await admin.post("/awards", { personId, coins: 3, reason: "landed during the check" });
    }
    return answer;
  }) as DynamoDBDocumentClient["send"];
  return racing;
}

describe("verify while the ledger is written", () => {
  for (const read of ["head", "entries"] as const) {
    it(`raises no alarm for an award that lands right after the verifier read the chain's ${read}`, async () => {
      const before = await store.readPerson("yang-xue" as PersonId);
      const result = await verifyAll(awardAfterRead("yang-xue", read), tableNames);
      expect(result.problems).toEqual([]);
      expect((await store.readPerson("yang-xue" as PersonId)).chain.seq).toBe(before.chain.seq + 1);
    });
  }
});

describe("rebuild-projections", () => {
  it("puts back a projection that drifted from the ledger, and keeps what the ledger does not hold", async () => {
    const before = await store.readPerson("huang-tao" as PersonId);
    await db.send(
      new PutCommand({
        TableName: tableNames.state,
        Item: {
          ...keys.head(before.chain.holder),
          ...before.chain,
          balances: { coin: 1_000_000 },
          ruleState: before.ruleState,
          version: before.headVersion,
        },
      }),
    );
    expect((await verifyAll(db, tableNames)).problems).toContainEqual(expect.objectContaining({ holder: "person:huang-tao" }));

    const { rebuilt, refused } = await rebuildProjections(db, tableNames);
    expect(rebuilt).toEqual(["person:huang-tao"]);
    expect(refused).toEqual([]);
    const after = await store.readPerson("huang-tao" as PersonId);
    expect(after.chain).toEqual(before.chain);
    expect(after.ruleState).toEqual(before.ruleState);
    expect((await admin.get("/people/huang-tao/balances")).body.coins).toBe(35);
    expect((await verifyAll(db, tableNames)).problems).toEqual([]);
  });
});
