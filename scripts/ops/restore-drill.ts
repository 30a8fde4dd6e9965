/**
 * `npm run restore-drill`: the recovery drill against DynamoDB Local (docs/OPERATIONS.md).
 *
 *   npm run restore-drill                       a private DynamoDB Local, seeded with 10,000 entries
 *   npm run restore-drill -- --entries 100000   … with as many entries as asked
 *   npm run restore-drill -- --existing         npm start's tables (DYNAMODB_ENDPOINT, LEDGER_TABLE, STATE_TABLE)
 *
 * Exports both tables in DynamoDB's export format to a temporary folder, restores them into new
 * tables, verifies the restore and compares every item and chain head; prints the time per
 * 100,000 entries. Exits 1 when the restore does not verify or differs from the original.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createDynamoClient } from "../../functions/dynamo/client.ts";
import { createTables, type RunningDynamo, startDynamoLocal } from "../local/dynamo.ts";
import { restoreDrill } from "../recovery/drill.ts";
import { seedLedger } from "../recovery/seed.ts";

const { values } = parseArgs({ options: { entries: { type: "string", default: "10000" }, existing: { type: "boolean", default: false } } });
let dynamo: RunningDynamo | undefined;
let source = { ledger: process.env.LEDGER_TABLE ?? "laurel-ledger", state: process.env.STATE_TABLE ?? "laurel-state" };
if (values.existing) process.env.DYNAMODB_ENDPOINT ??= "http://127.0.0.1:8000";
else {
  dynamo = await startDynamoLocal();
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.AWS_REGION ??= "local";
  source = { ledger: "drill-ledger", state: "drill-state" };
}
const client = createDynamoClient();
const dir = mkdtempSync(join(tmpdir(), "laurel-export-"));
try {
  if (dynamo) {
    await createTables(client, source);
    const seeded = performance.now();
    console.log(`Seeding ${Number(values.entries).toLocaleString("en")} entries…`);
    await seedLedger(source, Number(values.entries));
    console.log(`Seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s.`);
  }
  const stamp = Date.now();
  const target = { ledger: `${source.ledger}-restored-${stamp}`, state: `${source.state}-restored-${stamp}` };
  const r = await restoreDrill(client, source, target, dir);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`Exported ${r.items.ledger} ledger items and ${r.items.state} state items (DynamoDB JSON, gzip) in ${s(r.ms.export)}.`);
  console.log(`Restored into ${target.ledger} and ${target.state} in ${s(r.ms.restore)}.`);
  console.log(`Verified ${r.entries} entries in ${r.chains} chains in ${s(r.ms.verify)}: ${r.problems.length} problems.`);
  for (const p of r.problems) console.log(`PROBLEM ${p.holder}${p.entryId ? ` at ${p.entryId}` : ""}: ${p.problem}`);
  console.log(
    `Compared every item in ${s(r.ms.compare)}: ${r.heads.identical} of ${r.heads.compared} chain heads identical, ${r.differences.length} items differ.`,
  );
  for (const key of r.differences.slice(0, 20)) console.log(`DIFFERS ${key}`);
  const per100k = r.entries ? ((r.ms.export + r.ms.restore + r.ms.verify) / r.entries) * 100_000 : 0;
  console.log(`Time per 100,000 entries (export + restore + verify): ${s(per100k)}.`);
  if (r.problems.length || r.differences.length || r.heads.identical !== r.heads.compared) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  await dynamo?.stop();
}
