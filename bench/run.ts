/**
 * Every benchmark: `npm run bench` (`-- --quick` for fewer repetitions, under two minutes; `-- --system`
 * for only the figures measured against DynamoDB Local, which the capacity model reads; `-- --only=<group>`
 * for one group: domain, backtests, bundles, page, ledger, fund, webhooks, eligibility, screens, verifier, imports).
 * Prints a table and writes bench/results.json. Benchmarks report; they never fail the tests.
 */
import { writeFileSync } from "node:fs";
import { fundFigures, ledgerFigures, pageSizeFigure, webhookFigures } from "./api.ts";
import { backtestFigures } from "./backtests.ts";
import { bundleFigures } from "./bundles.ts";
import { domainFigures } from "./domain.ts";
import { eligibilityFigures } from "./eligibility.ts";
import { importFigures } from "./imports.ts";
import { notificationFigures } from "./notifications.ts";
import { pageFigures } from "./page.ts";
import { projectorFigures } from "./projector.ts";
import { screenFigures } from "./screens.ts";
import type { Options, Result } from "./support/result.ts";
import { startSystem } from "./support/system.ts";
import { verifierFigures } from "./verifier.ts";

const options: Options = { quick: process.argv.includes("--quick") };
// Only the figures measured against DynamoDB Local (what the capacity model reads), when the CPU-bound ones are not wanted.
const systemOnly = process.argv.includes("--system");
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const wanted = (group: string) => only === undefined || only === group;
const cpuGroups = ["domain", "backtests", "bundles", "page"];
const started = performance.now();
const results: Result[] = [];

// CPU-bound figures first, before DynamoDB Local's JVM competes for the cores.
if (!systemOnly) {
  if (wanted("domain")) results.push(...domainFigures(options));
  if (wanted("backtests")) results.push(...(await backtestFigures(options)));
  if (wanted("bundles")) results.push(...(await bundleFigures(options)));
  if (wanted("page")) results.push(...(await pageFigures(options)));
}

const system = only !== undefined && cpuGroups.includes(only) ? undefined : await startSystem();
try {
  if (system) {
    if (wanted("ledger")) results.push(...(await ledgerFigures(system)));
    if (wanted("fund")) results.push(...(await fundFigures(system)));
    const webhooks = wanted("webhooks") ? await webhookFigures(system, options) : undefined;
    results.push(...(webhooks?.results ?? []));
    if (webhooks?.webhooks) results.push(...(await projectorFigures(webhooks.webhooks, webhooks.results)));
    if (webhooks?.webhooks) results.push(...(await notificationFigures(webhooks.webhooks, system)));
    // After the webhook figures: the demo rules it loads would also fire on the webhook figures' events.
    // The import figures need the demo gates it loads.
    if (wanted("eligibility") || only === "imports") results.push(...(await eligibilityFigures(system, options)));
    if (wanted("screens")) results.push(...(await screenFigures(system, options)));
    if (wanted("verifier")) results.push(...(await verifierFigures(options)));
    // After the eligibility figures: they load the demo gates the as-of checks after an import use.
    if (wanted("imports")) results.push(...(await importFigures(system, options)));
  }
} finally {
  await system?.stop();
}
if (wanted("page")) results.push(pageSizeFigure());

const format = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 3 });
const rows = results.map((r) => [
  r.name,
  r.value === null ? "not yet available" : `${format(r.value)} ${r.unit}`,
  r.budget ?? "",
  r.ok === null ? "" : r.ok ? "ok" : "OVER",
]);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] as string).length), 6));
for (const row of [["figure", "value", "budget", ""], ...rows]) {
  console.log(row.map((cell, i) => (i === 1 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join("  "));
}
writeFileSync(new URL("results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const failed = results.filter((r) => r.ok === false).length;
console.log(
  `\n${results.length} figures, ${failed} over budget, ${results.filter((r) => r.value === null).length} not yet available; ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s${options.quick ? " (quick)" : ""}. Written to bench/results.json.`,
);
