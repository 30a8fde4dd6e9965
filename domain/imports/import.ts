/** What an import reports: each row's outcome, and the import's progress (kept while it runs). */
import type { FileEncoding } from "./records.ts";
import type { ImportOptions } from "./schemas.ts";

/** pending: a good row this run had no time left for; the same file again continues with it. */
export type RowOutcome = "would-import" | "imported" | "pending" | "duplicate" | "unknown-person" | "invalid";
export const rowOutcomes: readonly RowOutcome[] = ["would-import", "imported", "pending", "duplicate", "unknown-person", "invalid"];

export interface RowResult {
  row: number;
  outcome: RowOutcome;
  sourceSystem?: string;
  recordId?: string;
  personId?: string;
  entryId?: string;
  problem?: string;
}

export interface ImportJob {
  /** The file's identity (a hash of its bytes): running the same file again continues this import. */
  importId: string;
  /** paused: the run's time was up (an HTTP request's); interrupted: it failed. Run the same file again to go on. */
  status: "dry-run" | "running" | "done" | "paused" | "interrupted";
  onError: ImportOptions["onError"];
  encoding: FileEncoding;
  rows: number;
  /** Rows decided so far (written, or found already there, or bad). */
  done: number;
  counts: Record<RowOutcome, number>;
  by: string;
  startedAt: string;
  updatedAt: string;
}

export interface ImportReport extends ImportJob {
  rowNumbers: string;
  outcomes: RowResult[];
}
