/** Answers of imports of history (the imports function). */
import * as z from "zod";
import { Count, Instant } from "../answers.ts";

const RowOutcome = z.enum(["would-import", "imported", "pending", "duplicate", "unknown-person", "invalid"]);
export const ImportJob = z
  .strictObject({
    importId: z.string(),
    status: z.enum(["dry-run", "running", "done", "paused", "interrupted"]),
    onError: z.enum(["abort", "skip"]),
    encoding: z.enum(["utf-8", "utf-8-bom", "gbk"]),
    rows: Count,
    done: Count,
    counts: z.record(RowOutcome, Count),
    by: z.string(),
    startedAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "ImportJob" });
export const ImportReport = ImportJob.extend({
  rowNumbers: z.string(),
  outcomes: z.array(
    z.strictObject({
      row: Count,
      outcome: RowOutcome,
      sourceSystem: z.string().optional(),
      recordId: z.string().optional(),
      personId: z.string().optional(),
      entryId: z.string().optional(),
      problem: z.string().optional(),
    }),
  ),
}).meta({ id: "ImportReport" });
