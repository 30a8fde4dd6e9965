/**
 * `npm run verify`: checks the whole ledger (hash chains, projections = fold, no negative
 * balance, every asset summing to zero) and names the first problem of each chain. Against
 * `npm start`'s DynamoDB Local by default; set DYNAMODB_ENDPOINT="" and the table names to check
 * AWS. Exits 1 when anything is wrong.
 */
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { verifyAll } from "../../functions/dynamo/maintenance.ts";

process.env.DYNAMODB_ENDPOINT ??= "http://127.0.0.1:8000";
const tables = { ledger: process.env.LEDGER_TABLE ?? "laurel-ledger", state: process.env.STATE_TABLE ?? "laurel-state" };
const { chains, entries, problems } = await verifyAll(createDocumentClient(), tables);
console.log(`Checked ${entries} entries in ${chains} chains.`);
for (const p of problems) console.log(`PROBLEM ${p.holder}${p.entryId ? ` at ${p.entryId}` : ""}: ${p.problem}`);
if (problems.length) process.exit(1);
console.log("Every invariant holds.");
