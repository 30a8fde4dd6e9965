/** Lambda (scheduled): verifies the whole ledger; a failure raises the function's error alarm. */
import middy from "@middy/core";
import { createDocumentClient } from "../dynamo/client.ts";
import { verifyAll } from "../dynamo/maintenance.ts";
import { tableName } from "../dynamo/tables.ts";
import { createLogger, observe } from "../http/log.ts";

const db = createDocumentClient("verifier");
const tables = { ledger: tableName("ledger"), state: tableName("state") };
const log = createLogger("verifier");

async function verify(): Promise<{ chains: number; entries: number }> {
  const { chains, entries, problems } = await verifyAll(db, tables);
  for (const p of problems) log.error("ledger invariant broken", { holder: p.holder, entryId: p.entryId, problem: p.problem });
  if (problems.length)
    throw new Error(`${problems.length} ledger invariant(s) broken; first: ${problems[0]?.holder} ${problems[0]?.problem}`);
  log.info("ledger verified", { chains, entries });
  return { chains, entries };
}

export const handler = middy<unknown, { chains: number; entries: number }>().use(observe(log)).handler(verify);
