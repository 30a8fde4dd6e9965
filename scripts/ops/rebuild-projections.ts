/**
 * `npm run rebuild-projections`: recomputes every chain head (balances), each person's list of
 * redemptions and the approvers' queue of waiting claims, and replaces what differs. Same targets
 * as `npm run verify`.
 */
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { rebuildProjections } from "../../functions/dynamo/maintenance.ts";

process.env.DYNAMODB_ENDPOINT ??= "http://127.0.0.1:8000";
const tables = { ledger: process.env.LEDGER_TABLE ?? "laurel-ledger", state: process.env.STATE_TABLE ?? "laurel-state" };
const { rebuilt, refused } = await rebuildProjections(createDocumentClient(), tables);
console.log(`Rebuilt ${rebuilt.length} projection(s)${rebuilt.length ? `: ${rebuilt.join(", ")}` : ""}.`);
for (const p of refused) console.log(`NOT REBUILT ${p.holder}${p.entryId ? ` at ${p.entryId}` : ""}: ${p.problem}`);
if (refused.length) process.exit(1);
