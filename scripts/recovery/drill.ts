/**
 * The restore drill: export both tables in DynamoDB's export format, restore the export into new
 * tables, verify the restored ledger with the verifier `npm run verify` runs, and compare every
 * item (and so every chain and chain head) with the original. Timed, to give the RTO per 100,000
 * entries (docs/OPERATIONS.md).
 */
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { canonicalJson, sha256Hex } from "../../domain/kernel/canonical.ts";
import type { Problem } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { type Tables, verifyAll } from "../../functions/dynamo/maintenance.ts";
import { createTables } from "../local/dynamo.ts";
import { exportTable, importTable, scanRaw } from "./export-format.ts";

export interface DrillResult {
  entries: number;
  chains: number;
  items: { ledger: number; state: number };
  /** Chain heads in the original state table, and how many came back identical. */
  heads: { compared: number; identical: number };
  /** Keys of items that differ between the original and the restore (none, when it worked). */
  differences: string[];
  problems: Problem[];
  ms: { export: number; restore: number; verify: number; compare: number; total: number };
}

/** Each item by its key, as a digest of its canonical DynamoDB JSON. */
async function digests(client: DynamoDBClient, table: string): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  for await (const item of scanRaw(client, table)) items.set(`${item.pk?.S}|${item.sk?.S}`, sha256Hex(canonicalJson(item)));
  return items;
}

function differing(original: Map<string, string>, restored: Map<string, string>): string[] {
  const keys = new Set([...original.keys(), ...restored.keys()]);
  return [...keys].filter((key) => original.get(key) !== restored.get(key)).sort();
}

const since = (start: number) => Math.round(performance.now() - start);

export async function restoreDrill(client: DynamoDBClient, source: Tables, target: Tables, dir: string): Promise<DrillResult> {
  const started = performance.now();
  const items = {
    ledger: await exportTable(client, source.ledger, join(dir, "ledger")),
    state: await exportTable(client, source.state, join(dir, "state")),
  };
  const exported = since(started);

  const restoring = performance.now();
  await createTables(client, target);
  await importTable(client, join(dir, "ledger"), target.ledger);
  await importTable(client, join(dir, "state"), target.state);
  const restored = since(restoring);

  const verifying = performance.now();
  const { chains, entries, problems } = await verifyAll(createDocumentClient(), target);
  const verified = since(verifying);

  const comparing = performance.now();
  const [ledgerBefore, ledgerAfter, stateBefore, stateAfter] = await Promise.all([
    digests(client, source.ledger),
    digests(client, target.ledger),
    digests(client, source.state),
    digests(client, target.state),
  ]);
  const differences = [...differing(ledgerBefore, ledgerAfter), ...differing(stateBefore, stateAfter)];
  const headKeys = [...stateBefore.keys()].filter((key) => key.startsWith("CHAIN#") && key.endsWith("|HEAD"));
  const heads = { compared: headKeys.length, identical: headKeys.filter((key) => stateBefore.get(key) === stateAfter.get(key)).length };
  const compared = since(comparing);

  return {
    entries,
    chains,
    items,
    heads,
    differences,
    problems,
    ms: { export: exported, restore: restored, verify: verified, compare: compared, total: since(started) },
  };
}
