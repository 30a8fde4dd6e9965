/**
 * HR's spreadsheet of eligibility checks. UTF-8 with a byte-order mark, so that Excel shows
 * Chinese names correctly; and safe to open: a cell that Excel or another spreadsheet would read
 * as a formula (OWASP "CSV injection") is neutralised, whoever typed the name or the reason.
 */

import { csvOf } from "../kernel/csv.ts";
import type { PersonCheck } from "./eligibility-service.ts";
import type { GateResult } from "./gates.ts";

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
  return csvOf([header, ...rows].map((row) => row.map(String)));
}
