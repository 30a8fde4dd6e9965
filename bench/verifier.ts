/**
 * The verifier (`npm run verify`, functions/background/verifier.ts) on a large ledger: the time to verify one
 * long chain (wall, and this process's CPU: DynamoDB Local's share of the wall time depends on
 * what else the machine runs), and the memory of a whole-ledger run at two ledger sizes, each in
 * a fresh `node` process with the V8 heap the verifier has in Lambda (lib/bundling.ts: an old
 * space capped at 128 MB, so a run that needed more would fail), measured as peak RSS (`process.resourceUsage().maxRSS`), and what it
 * holds live at most, so that growth with the ledger shows.
 *
 * The chains are written directly, not through the API (100,000 entries through the API would
 * take long on DynamoDB Local): entries made by the domain's `appendMovements` (coins and points
 * awarded in turn), so hashes and links are the API's, put with BatchWriteItem, and the head
 * holding their fold. Checkpoints and idempotency records are not written; the verifier reads
 * neither.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BatchWriteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mapLimit } from "../domain/kernel/concurrency.ts";
import { type AccountId, type PersonId, personAccount, systemAccount } from "../domain/kernel/model.ts";
import { appendMovements, emptyChain, type LedgerEntry, type Movement } from "../domain/ledger/index.ts";
import { createDocumentClient } from "../functions/dynamo/client.ts";
import { keys } from "../functions/dynamo/keys.ts";
import { verifyAll } from "../functions/dynamo/maintenance.ts";
import { verifierHeapFlags } from "../lib/bundling.ts";
import { atMost, type Options, type Result, reported } from "./support/result.ts";

const run = promisify(execFile);

/** Writes a chain of `count` entries for a made-up person, and its head. */
export async function writeChain(
  db: ReturnType<typeof createDocumentClient>,
  tables: { ledger: string; state: string },
  id: string,
  count: number,
) {
  const holder = personAccount(id as PersonId);
  let state = emptyChain(holder);
  const entries: LedgerEntry[] = [];
  const start = Date.now() - 90 * 86_400_000;
  for (let done = 0; done < count; done += 1000) {
    const recordedAt = new Date(start + done * 60_000).toISOString();
    const movements: Movement[] = Array.from({ length: Math.min(1000, count - done) }, (_, i) => ({
      kind: "award",
      asset: i % 2 ? "point:tool-operation" : "coin",
      amount: 1 + (i % 7),
      from: systemAccount("issuer"),
      to: holder,
      actor: { kind: "person", personId: "cao-yi" as PersonId },
      reason: `完成《AI 工具实操》第 ${done + i + 1} 课`,
      occurredAt: recordedAt,
    }));
    const appended = appendMovements(state, movements, recordedAt);
    entries.push(...appended.entries);
    state = appended.state;
  }
  const batches = Array.from({ length: Math.ceil(entries.length / 25) }, (_, i) => entries.slice(i * 25, i * 25 + 25));
  await mapLimit(batches, 8, async (batch) => {
    let pending: Record<string, unknown>[] = batch.map((entry) => ({
      PutRequest: { Item: { ...keys.entry(holder, entry.seq), ...entry } },
    }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tables.ledger]: pending as never } }));
      pending = (UnprocessedItems?.[tables.ledger] ?? []) as Record<string, unknown>[];
    }
  });
  await db.send(new PutCommand({ TableName: tables.state, Item: { ...keys.head(holder), ...state, version: 1 } }));
  return holder;
}

interface ChildRun {
  /** Peak RSS, MB. */
  mb: number;
  /** The most heap held after a full collection, sampled every 50 ms, MB. */
  liveMb: number;
  entries: number;
  problems: number;
}

/**
 * A whole-ledger verification in a fresh node, twice: once as it runs, for its peak RSS; once
 * collecting all garbage every 50 ms (`--expose-gc`), for the most it held live at once, which is
 * what would grow with the ledger. The peak RSS moves by 10–20 MB between runs with when V8
 * collects; extrapolated 10- to 30-fold, that noise would be the estimate.
 */
async function verifyInChild(): Promise<ChildRun> {
  const plain = await verifyOnceInChild(false);
  const sampled = await verifyOnceInChild(true);
  return { ...plain, liveMb: sampled.liveMb };
}

async function verifyOnceInChild(sampleLive: boolean): Promise<ChildRun> {
  const script = `
    const { createDocumentClient } = await import(${JSON.stringify(new URL("../functions/dynamo/client.ts", import.meta.url).href)});
    const { verifyAll } = await import(${JSON.stringify(new URL("../functions/dynamo/maintenance.ts", import.meta.url).href)});
    let live = 0;
    const sampler = globalThis.gc && setInterval(() => { globalThis.gc(); live = Math.max(live, process.memoryUsage().heapUsed); }, 50);
    const result = await verifyAll(createDocumentClient(), { ledger: process.env.LEDGER_TABLE, state: process.env.STATE_TABLE });
    if (sampler) clearInterval(sampler);
    console.log(JSON.stringify({ mb: process.resourceUsage().maxRSS / 1024, liveMb: live / 1048576, entries: result.entries, problems: result.problems.length }));`;
  const flags = [...verifierHeapFlags, ...(sampleLive ? ["--expose-gc"] : [])];
  const { stdout } = await run(process.execPath, [...flags, "--input-type=module", "-e", script], { env: process.env, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string);
}

export async function verifierFigures(options: Options): Promise<Result[]> {
  const db = createDocumentClient();
  const tables = { ledger: process.env.LEDGER_TABLE as string, state: process.env.STATE_TABLE as string };
  const long = options.quick ? 8_000 : 40_000;
  const total = options.quick ? 20_000 : 100_000;
  const others = (total - long) / 1000;

  const longHolder: AccountId = await writeChain(db, tables, "verify-long", long);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const one = await verifyAll(db, tables, [longHolder]);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  if (one.problems.length > 0 || one.entries !== long) throw new Error(`the long chain verified as ${JSON.stringify(one).slice(0, 300)}`);

  // The ledger at about half and at the full size, each verified whole in a fresh process.
  await mapLimit(
    Array.from({ length: others / 2 }, (_, i) => i),
    2,
    (i) => writeChain(db, tables, `verify-${i}`, 1000),
  );
  const half = await verifyInChild();
  await mapLimit(
    Array.from({ length: others / 2 }, (_, i) => i + others / 2),
    2,
    (i) => writeChain(db, tables, `verify-${i}`, 1000),
  );
  const full = await verifyInChild();
  if (half.problems > 0 || full.problems > 0) throw new Error(`the verifier found problems: ${half.problems}, ${full.problems}`);
  const perEntry = Math.max(0, (full.liveMb - half.liveMb) / (full.entries - half.entries));
  const million = full.mb + perEntry * (1_000_000 - full.entries);
  const round = (value: number) => Math.round(value * 10) / 10;
  const capped = `V8 flags as deployed: ${verifierHeapFlags.join(" ")}`;
  return [
    atMost(`verifier: one ${long.toLocaleString("en-US")}-entry chain (wall time)`, round(seconds), "s", 5),
    reported(
      `verifier: one ${long.toLocaleString("en-US")}-entry chain (the verifier's CPU time)`,
      round((used.user + used.system) / 1e6),
      "s",
    ),
    reported(`verifier: whole ledger of ${half.entries.toLocaleString("en-US")} entries, peak RSS (${capped})`, round(half.mb), "MB"),
    atMost(`verifier: whole ledger of ${full.entries.toLocaleString("en-US")} entries, peak RSS (${capped})`, round(full.mb), "MB", 256),
    reported(
      `verifier: most held live (after a full collection), ${half.entries.toLocaleString("en-US")} entries`,
      round(half.liveMb),
      "MB",
    ),
    reported(
      `verifier: most held live (after a full collection), ${full.entries.toLocaleString("en-US")} entries`,
      round(full.liveMb),
      "MB",
    ),
    atMost(
      "verifier: 1,000,000 entries, peak RSS estimated from the growth of what it holds live between the two",
      round(million),
      "MB",
      256,
    ),
  ];
}
