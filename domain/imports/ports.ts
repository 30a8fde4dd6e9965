/** What imports need from storage beyond the ledger (functions/dynamo/stores/import-store.ts). */
import type { AuditRecord } from "../kernel/audit.ts";
import type { ImportJob } from "./import.ts";

export interface SourceRecordRef {
  system: string;
  recordId: string;
}

/** Which import (file) and run wrote a record of another system, as which entry. */
export interface ImportMarker {
  importId: string;
  runId: string;
  entryId: string;
}

export interface ImportStore {
  /** Which of these records of other systems were imported already, by "<system>#<recordId>": by which run, as which entry. */
  importedAlready(records: readonly SourceRecordRef[]): Promise<Map<string, ImportMarker>>;
  saveJob(job: ImportJob): Promise<void>;
  readJob(importId: string): Promise<ImportJob | undefined>;
  audit(record: AuditRecord): Promise<void>;
}
