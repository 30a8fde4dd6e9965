/** Answers of imports of history (the imports function). */
import * as z from "../../../domain/kernel/zod/index.ts";
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
  .register(z.globalRegistry, { id: "ImportJob" });
export const ImportReport = z
  .extend(ImportJob, {
    rowNumbers: z.string(),
    outcomes: z.array(
      z.strictObject({
        row: Count,
        outcome: RowOutcome,
        sourceSystem: z.optional(z.string()),
        recordId: z.optional(z.string()),
        personId: z.optional(z.string()),
        entryId: z.optional(z.string()),
        problem: z.optional(z.string()),
      }),
    ),
  })
  .register(z.globalRegistry, { id: "ImportReport" });
