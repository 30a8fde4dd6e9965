/**
 * History imports (POST /imports, npm run import): a 10,000-row file (2,000 with --quick) of
 * points of ten people over two years, imported through the same use case as the route and the
 * command line, counted by ./dynamo-meter.ts: rows per second and DynamoDB round trips per 100
 * rows. Then an eligibility check as of a day inside that history, as known then and with
 * everything known now: its reads must stay within the as-of budget (≤ 10) whatever was imported.
 */
import type { PersonId } from "../domain/kernel/model.ts";
import { metered } from "./support/dynamo-meter.ts";
import { atMost, type Options, type Result, reported } from "./support/result.ts";
import type { System } from "./support/system.ts";

const people = Array.from({ length: 10 }, (_, i) => `bench-import-${i}`);
const header = "personId,name,asset,amount,capability,occurredAt,sourceSystem,recordId,reason";
const asOf = "2025-06-30";

export async function importFigures(system: System, options: Options): Promise<Result[]> {
  const rows = options.quick ? 2_000 : 10_000;
  const suffix = options.quick ? " (quick)" : "";
  const label = rows.toLocaleString("en-US");
  for (const personId of people) {
    const person = {
      name: `导入${personId.slice(-1)}`,
      tier: "base",
      tierSince: "2024-01-01",
      orgUnitId: "store-east",
      managerId: "liu-yang",
    };
    const answer = await system.admin("PUT", `/admin/people/${personId}`, person);
    if (answer.status >= 300) throw new Error(`person ${personId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  const day = (i: number) => new Date(Date.UTC(2024, 6, 1) + (i % 730) * 86_400_000).toISOString().slice(0, 10);
  const lines = Array.from(
    { length: rows },
    (_, i) =>
      `${people[i % people.length]},导入${i % people.length},points,${1 + (i % 3)},tool-operation,${day(i)},bench-lms,b${i},历史学分迁移`,
  );
  const file = Buffer.from(`\uFEFF${header}\n${lines.join("\n")}\n`);

  const { createAdapters } = await import("../functions/dynamo/adapters.ts");
  const { newImportService } = await import("../functions/api/imports.ts");
  const service = newImportService(createAdapters("imports"));
  const admin = { personId: "cao-yi" as PersonId, roles: ["admin" as const] };
  const options_ = { dryRun: false, onError: "abort" as const, encoding: "auto" as const };
  const started = performance.now();
  const run = await metered(() => service.run(admin, file, options_));
  const seconds = (performance.now() - started) / 1000;
  if (run.result.counts.imported !== rows) throw new Error(`imported ${JSON.stringify(run.result.counts)}`);
  const again = await metered(() => service.run(admin, file, options_));
  if (again.result.counts.duplicate !== rows) throw new Error(`the second run found ${JSON.stringify(again.result.counts)}`);
  console.error(`imports: ${rows} rows in ${seconds.toFixed(1)} s, ${run.roundTrips} round trips; again: ${again.roundTrips}`);

  const asHr = system.as("deng-hua", ["hr"]);
  const check = (known: "then" | "now") => asHr("GET", `/people/${people[0]}/eligibility?gate=base-to-middle&asOf=${asOf}&known=${known}`);
  for (let i = 0; i < 3; i++) await Promise.all([check("then"), check("now")]);
  const reads = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);
  const readsOf = async (known: "then" | "now") => {
    const { result, calls } = await metered(() => check(known));
    if (result.status !== 200 || result.body.asOf?.known !== known)
      throw new Error(`as-of ${known}: ${JSON.stringify(result.body).slice(0, 500)}`);
    return calls.filter((c) => reads.has(c.operation)).length;
  };
  const round = (value: number) => Math.round(value * 10) / 10;
  return [
    reported(`import, ${label} rows of 10 people: throughput${suffix}`, Math.round(rows / seconds), "rows/s"),
    reported(`import: DynamoDB round trips per 100 rows${suffix}`, round((run.roundTrips / rows) * 100), "requests"),
    reported(
      `import, the same file again (adds nothing): round trips per 100 rows${suffix}`,
      round((again.roundTrips / rows) * 100),
      "requests",
    ),
    atMost(
      `eligibility check asOf (known then) after a ${label}-row import: DynamoDB reads${suffix}`,
      await readsOf("then"),
      "requests",
      10,
    ),
    atMost(`eligibility check asOf (known now) after a ${label}-row import: DynamoDB reads${suffix}`, await readsOf("now"), "requests", 10),
  ];
}
