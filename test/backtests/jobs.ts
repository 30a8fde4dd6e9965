/** What the backtest tests share: a job followed to its end, and what the rules paid by the ledger's own account. */

import type { LedgerEntry } from "../../domain/ledger/index.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import type { ApiResponse, Client } from "../support/api.ts";
import { storedChain } from "../support/invariants.ts";

/** A started job (202), read again until it is no longer running: its last answer. */
export async function followed(admin: Client, started: ApiResponse, tries = 200) {
  const url = `/admin/rules/${started.body.ruleId}/backtests/${started.body.backtestId}`;
  let job = started.body;
  for (let i = 0; i < tries && job.status === "running"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = (await admin.get(url)).body;
  }
  return job;
}

const unitOf = new Map(demoPeople.map((p) => [p.personId as string, p.orgUnitId as string]));

/** What the rules awarded these people, from the ledger: entries made by a rule, less their reversals, per unit and asset. */
export async function ruleFigures(people: readonly string[]): Promise<Map<string, number>> {
  const entries: LedgerEntry[] = (await Promise.all(people.map((p) => storedChain(p)))).flatMap((c) => c.entries);
  const byId = new Map(entries.map((e) => [e.entryId, e]));
  const figures = new Map<string, number>();
  for (const entry of entries) {
    const original = entry.kind === "reversal" ? byId.get(entry.reverses as LedgerEntry["entryId"]) : entry;
    if (!original?.rule || original.asset.startsWith("badge:")) continue;
    const key = `${unitOf.get(original.holder.slice("person:".length))}/${original.asset}`;
    figures.set(key, (figures.get(key) ?? 0) + (entry.kind === "reversal" ? -entry.amount : entry.amount));
  }
  return new Map([...figures].filter(([, amount]) => amount !== 0));
}
