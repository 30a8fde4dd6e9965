/** The audit trail of privileged actions, kept in the ledger table and never changed. */
import type { PersonId } from "./model.ts";

/** One line of the audit trail: who did what to whom, when, and how it ended. Never changed. */
export interface AuditRecord {
  auditId: string;
  at: string;
  actor: PersonId;
  action: string;
  /** The people the action concerned (ids only: the trail carries no names). */
  targets: string[];
  details: Record<string, unknown>;
  outcome: string;
}
