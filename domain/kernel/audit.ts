/** The audit trail of privileged actions, kept in the ledger table and never changed. */
import type { PersonId } from "./model.ts";
import { endOfDay } from "./periods.ts";

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

/**
 * A calendar day of the company (its time zone) as the instants it spans: what "the audit trail
 * of 1 December" means to an auditor in Shanghai, whatever UTC day the records fall on.
 */
export function auditWindow(day: string, timeZone: string): { from: string; to: string } {
  const previous = new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
  return { from: new Date(Date.parse(endOfDay(previous, timeZone)) + 1).toISOString(), to: endOfDay(day, timeZone) };
}
