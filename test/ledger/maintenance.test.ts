import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { rebuildProjections, verifyAll } from "../../functions/dynamo/maintenance.ts";
import { tableNames } from "../support/env.ts";
import { store } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";

const db = createDocumentClient();
const { admin } = await withDemoDefinitions();
for (const personId of ["yang-xue", "wu-min", "huang-tao"]) {
  await admin.post("/awards", { personId, coins: 40, points: { capability: "tool-operation", amount: 35 }, reason: "seed" });
  await admin.post("/deductions", { personId, coins: 5, reason: "seed penalty" });
}

describe("verify", () => {
  it("finds every invariant holding on an untouched ledger", async () => {
    const result = await verifyAll(db, tableNames);
    expect(result.problems).toEqual([]);
    expect(result.chains).toBeGreaterThanOrEqual(3);
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
    const { handler } = await import("../../functions/verifier.ts");
    const { chains, entries } = await verifyAll(db, tableNames);
    expect(await handler()).toEqual({ chains, entries });
    const [first] = await Array.fromAsync(store.readChain("person:yang-xue"));
    if (!first) throw new Error("no entry");
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(first.holder, first.seq), ...first, amount: 1 } }));
    await expect(handler()).rejects.toThrow(/invariant\(s\) broken; first: person:yang-xue/);
    await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(first.holder, first.seq), ...first } }));
  });
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
