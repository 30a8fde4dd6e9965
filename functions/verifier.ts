/** Lambda (scheduled): verifies the whole ledger; a failure raises the function's error alarm. */
import { createDocumentClient } from "./shared/dynamo.ts";
import { createLogger } from "./shared/log.ts";
import { verifyAll } from "./shared/maintenance.ts";
import { tableName } from "./shared/tables.ts";

const db = createDocumentClient();
const tables = { ledger: tableName("ledger"), state: tableName("state") };

export async function handler(): Promise<{ chains: number; entries: number }> {
  const log = createLogger({ area: "verifier" });
  const { chains, entries, problems } = await verifyAll(db, tables);
  for (const p of problems) log.error("ledger invariant broken", { holder: p.holder, entryId: p.entryId, problem: p.problem });
  if (problems.length)
    throw new Error(`${problems.length} ledger invariant(s) broken; first: ${problems[0]?.holder} ${problems[0]?.problem}`);
  log.info("ledger verified", { chains, entries });
  return { chains, entries };
}
