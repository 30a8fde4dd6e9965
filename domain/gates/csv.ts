/**
 * HR's spreadsheet of eligibility checks. UTF-8 with a byte-order mark, so that Excel shows
 * Chinese names correctly; and safe to open: a cell that Excel or another spreadsheet would read
 * as a formula (OWASP "CSV injection") is neutralised, whoever typed the name or the reason.
 */

import type { PersonCheck } from "./eligibility-service.ts";
import type { GateResult } from "./gates.ts";

/**
 * Characters that start a formula: = + - @ (and their full-width forms, which Excel in a Chinese
 * locale also accepts), tab and carriage return (Excel drops them and reads on), and the
 * full-width and ideographic space a CJK input method puts before them.
 */
const formulaStart = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20\u3000]/;

/**
 * One cell: a leading formula character gets a single quote before it (shown as text, the quote
 * hidden); quotes, separators (comma, and the semicolon of locales that split on it) and line breaks are quoted as RFC 4180 says.
 */
export function csvCell(value: string): string {
  const safe = formulaStart.test(value) ? `'${value}` : value;
  return /[",;\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(results: readonly PersonCheck[], names: ReadonlyMap<string, string>): string {
  const criteria = results.find((r): r is GateResult => "criteria" in r)?.criteria.map((c) => c.required) ?? [];
  const header = ["personId", "name", "eligible", ...criteria.flatMap((c) => [`${c}: met`, `${c}: actual`]), "problem"];
  const rows = results.map((r) => [
    r.personId,
    names.get(r.personId) ?? "",
    r.eligible ? "yes" : "no",
    ...("criteria" in r ? r.criteria.flatMap((c) => [c.met ? "yes" : "no", c.actual]) : criteria.flatMap(() => ["", ""])),
    "problem" in r ? r.problem.detail : "",
  ]);
  return `\uFEFF${[header, ...rows].map((row) => row.map((v) => csvCell(String(v))).join(",")).join("\r\n")}\r\n`;
}
