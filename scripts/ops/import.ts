/**
 * `npm run import -- <file> [--dry-run] [--on-error=abort|skip] [--encoding=auto|utf-8|gbk] [--as=<adminId>]`:
 * imports historical awards from a CSV or JSON file (docs/IMPORTS.md) with a progress bar, through
 * the same use case as POST /imports but without the HTTP time limit. Against `npm start`'s
 * DynamoDB Local by default; set DYNAMODB_ENDPOINT="" and the table names for AWS. Exits 1 when
 * rows are bad or the run was interrupted (run it again: it resumes).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { ImportJob, RowResult } from "../../domain/imports/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { demoAdmin } from "../demo-data.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "dry-run": { type: "boolean", default: false },
    "on-error": { type: "string", default: "abort" },
    encoding: { type: "string", default: "auto" },
    format: { type: "string" },
    as: { type: "string", default: process.env.LAUREL_ADMIN ?? demoAdmin },
  },
});
const [file] = positionals;
const onError = values["on-error"];
const encoding = values.encoding;
const format = values.format;
if (
  !file ||
  (onError !== "abort" && onError !== "skip") ||
  !["auto", "utf-8", "gbk"].includes(encoding) ||
  (format !== undefined && format !== "csv" && format !== "json")
) {
  console.error(
    "usage: npm run import -- <file.csv|file.json> [--dry-run] [--on-error=abort|skip] [--encoding=auto|utf-8|gbk] [--format=csv|json] [--as=<adminId>]",
  );
  process.exit(2);
}

process.env.DYNAMODB_ENDPOINT ??= "http://127.0.0.1:8000";
process.env.LEDGER_TABLE ??= "laurel-ledger";
process.env.STATE_TABLE ??= "laurel-state";
const { createAdapters } = await import("../../functions/dynamo/adapters.ts");
const { newImportService } = await import("../../functions/api/imports.ts");

const started = Date.now();
const bar = (job: ImportJob) => {
  const width = 30;
  const filled = Math.round((job.done / Math.max(1, job.rows)) * width);
  const rate = Math.round(job.counts.imported / Math.max(0.001, (Date.now() - started) / 1000));
  process.stderr.write(
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${job.done}/${job.rows} rows · imported ${job.counts.imported} · duplicate ${job.counts.duplicate} · ${rate} rows/s `,
  );
};

const service = newImportService(createAdapters("imports"));
try {
  const report = await service.run(
    { personId: values.as as PersonId, roles: ["admin"] },
    readFileSync(file),
    { dryRun: values["dry-run"], onError, encoding: encoding as "auto" | "utf-8" | "gbk", format },
    bar,
  );
  process.stderr.write("\n");
  const bad = report.outcomes.filter((o: RowResult) => o.outcome === "invalid" || o.outcome === "unknown-person");
  for (const row of bad.slice(0, 50)) console.log(`row ${row.row}: ${row.outcome}: ${row.problem}`);
  if (bad.length > 50) console.log(`… and ${bad.length - 50} more bad rows.`);
  console.log(`${report.status}: ${JSON.stringify(report.counts)} (import ${report.importId}, ${report.encoding}, ${report.rowNumbers})`);
  if (report.status === "dry-run" && bad.length > 0) process.exit(1);
} catch (error) {
  process.stderr.write("\n");
  const problem = error as { code?: string; message: string; details?: { badRows?: RowResult[] } };
  for (const row of problem.details?.badRows?.slice(0, 50) ?? []) console.log(`row ${row.row}: ${row.outcome}: ${row.problem}`);
  console.error(`${problem.code ?? "failed"}: ${problem.message}`);
  process.exit(1);
}
