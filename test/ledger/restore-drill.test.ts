/** The restore drill in CI, on a small ledger: the restore verifies and equals the original, chain by chain. */

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createDocumentClient, createDynamoClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { verifyAll } from "../../functions/dynamo/maintenance.ts";
import { createTables } from "../../scripts/local/dynamo.ts";
import { restoreDrill } from "../../scripts/recovery/drill.ts";
import { exportTable, importTable } from "../../scripts/recovery/export-format.ts";
import { tableNames } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
for (const personId of ["yang-xue", "huang-tao", "wu-min"]) {
  await admin.post("/awards", { personId, coins: 30, points: { capability: "tool-operation", amount: 12 }, reason: "演练" });
}
await admin.post("/deductions", { personId: "yang-xue", coins: 5, reason: "迟到" });
const [sourceId, secret] = Object.entries(secrets)[0] as [string, string];
await deliver(sourceId, cloudEvent("com.tianma.learning.course.completed", "huang-tao", { courseId: "ai-101", score: 92 }), { secret });

const client = createDynamoClient();
const dir = mkdtempSync(join(tmpdir(), "laurel-drill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("restore drill", () => {
  it("restores both tables from a DynamoDB-format export into new tables that verify and equal the original", async () => {
    const target = { ledger: `${tableNames.ledger}-restored`, state: `${tableNames.state}-restored` };
    const result = await restoreDrill(client, tableNames, target, join(dir, "drill"));
    expect(result.problems).toEqual([]);
    expect(result.differences).toEqual([]);
    expect(result.entries).toBeGreaterThan(4);
    expect(result.heads.compared).toBeGreaterThanOrEqual(3);
    expect(result.heads.identical).toBe(result.heads.compared);
    expect((await verifyAll(createDocumentClient(), tableNames)).entries).toBe(result.entries);
  });

  it("a restore from an export altered on the way fails verification, naming the chain", async () => {
    const exported = join(dir, "tampered");
    await exportTable(client, tableNames.ledger, join(exported, "ledger"));
    await exportTable(client, tableNames.state, join(exported, "state"));
    // Someone edits an amount in the data file and fixes up the manifest's checksum.
    const manifest = join(exported, "ledger", "manifest-files.json");
    const file = JSON.parse(readFileSync(manifest, "utf8").split("\n")[0] as string);
    const path = join(exported, "ledger", file.dataFileS3Key);
    const text = gunzipSync(readFileSync(path)).toString("utf8");
    // An amount of a person's ledger entry (the export also holds idempotency records and events,
    // whose copies of an amount no chain hashes).
    const lines = text.split("\n");
    const target = lines.findIndex(
      (line) =>
        line.includes(`"sk":{"S":"${keys.entryPrefix}`) &&
        line.includes(`"pk":{"S":"${keys.chain("person:")}`) &&
        /"amount":\{"N":"30"\}/.test(line),
    );
    lines[target] = (lines[target] ?? "").replace(/("amount":\{"N":")30(")/, "$13000$2");
    const tampered = lines.join("\n");
    expect(tampered).not.toBe(text);
    const data = gzipSync(tampered);
    writeFileSync(path, data);
    writeFileSync(manifest, JSON.stringify({ ...file, md5Checksum: createHash("md5").update(data).digest("base64") }));
    const tables = { ledger: `${tableNames.ledger}-tampered`, state: `${tableNames.state}-tampered` };
    await createTables(client, tables);
    await importTable(client, join(exported, "ledger"), tables.ledger);
    await importTable(client, join(exported, "state"), tables.state);
    const { problems } = await verifyAll(createDocumentClient(), tables);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.holder).toMatch(/^person:/);
  });

  it("refuses an export whose data file does not match its manifest", async () => {
    const exported = join(dir, "truncated", "state");
    await exportTable(client, tableNames.state, exported);
    const file = JSON.parse(readFileSync(join(exported, "manifest-files.json"), "utf8").split("\n")[0] as string);
    writeFileSync(join(exported, file.dataFileS3Key), gzipSync("{}"));
    await expect(importTable(client, exported, `${tableNames.state}-never`)).rejects.toThrow(/checksum mismatch/);
  });
});
