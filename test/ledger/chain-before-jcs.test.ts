/**
 * A chain written before the canonical form was RFC 8785 (hashes computed by the form of the time,
 * kept as a fixture) still verifies, rebuilds and takes new entries after it.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { AccountId } from "../../domain/kernel/model.ts";
import { foldChain, type LedgerEntry, verifyLedger } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { rebuildProjections, verifyAll } from "../../functions/dynamo/maintenance.ts";
import { tableNames } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import written from "./chain-before-jcs.fixture.json" with { type: "json" };

const db = createDocumentClient();
const { admin } = await withDemoDefinitions();
const holder = "person:yang-xue" as AccountId;

describe("a ledger written before JCS had a name", () => {
  it("verifies as written, is rebuilt into balances, and takes new entries after it", async () => {
    for (const entry of written) {
      await db.send(new PutCommand({ TableName: tableNames.ledger, Item: { ...keys.entry(holder, entry.seq), ...entry } }));
    }
    const { rebuilt, refused } = await rebuildProjections(db, tableNames);
    expect([rebuilt, refused]).toEqual([[holder], []]);
    expect((await admin.get("/people/yang-xue/balances")).body.coins).toBe(40 - 5 + 9_007_199_254_740);

    const award = await admin.post("/awards", { personId: "yang-xue", coins: 1, reason: "after JCS · 之后" });
    expect(award.body.entries[0].prevHash).toBe(written.at(-1)?.hash);
    expect((await verifyAll(db, tableNames)).problems).toEqual([]);
  });

  it("names the entry when one of them is changed", () => {
    const entries = written as unknown as LedgerEntry[];
    const edited = entries.map((entry) => (entry.seq === 2 ? { ...entry, reason: "edited" } : entry));
    expect(verifyLedger([{ holder, entries, projection: foldChain(holder, entries) }])).toEqual([]);
    expect(verifyLedger([{ holder, entries: edited, projection: foldChain(holder, entries) }])).toContainEqual(
      expect.objectContaining({ entryId: "person.yang-xue.2", problem: "content does not match its hash" }),
    );
  });
});
