/** Routes of the imports area: history from systems before Laurel (admin). */
import { HistoryRecord, ImportQuery } from "../../../domain/imports/index.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { ImportJob, ImportReport } from "../answers/imports.ts";
import { defineRoute } from "../route.ts";

/** A file of 50,000 rows is about 5 MB; Lambda takes 6 MB of request. */
export const maxImportBytes = 5 * 1024 * 1024;

export const importsRoutes = {
  importHistory: defineRoute({
    method: "POST",
    path: "/imports",
    area: "imports",
    auth: "token",
    problems: ["file-encoding-unknown", "forbidden", "import-has-bad-rows"],
    summary:
      "Import historical awards from a CSV (text/csv, header row) or JSON file, UTF-8 with or without a BOM or GBK: every row's outcome by row number (would import, imported, duplicate, unknown person, invalid); dryRun=true writes nothing; onError=abort writes nothing if any row is bad, onError=skip imports the rest; idempotent per source record, so running the same file again adds nothing and resumes an interrupted import (admin).",
    query: ImportQuery,
    rawBody: { maxBytes: maxImportBytes },
    rawContent: {
      "text/csv": z
        .string()
        .register(z.globalRegistry, { description: "A header row naming HistoryRecord's fields, then one record per row." }),
      "application/json": z.union([z.array(HistoryRecord), z.strictObject({ records: z.array(HistoryRecord) })]),
    },
    success: { status: 200, description: "The import: counts, and each row's outcome.", schema: ImportReport },
  }),
  importProgress: defineRoute({
    method: "GET",
    path: "/imports/{importId}",
    area: "imports",
    auth: "token",
    summary: "An import's progress: rows done of all, counts per outcome, running, done or interrupted (admin).",
    params: z.strictObject({ importId: z.string().check(z.regex(/^[0-9a-f]{32}$/)) }),
    success: { status: 200, description: "The import's progress.", schema: ImportJob },
  }),
} as const;
