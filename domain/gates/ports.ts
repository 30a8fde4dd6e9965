/** What eligibility checks need from storage (functions/dynamo/eligibility-store.ts). */
import type { Person } from "../directory/index.ts";
import type { AuditRecord } from "../kernel/audit.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Page } from "../kernel/ports.ts";
import type { ChainState, Measure, Penalty, PersonSnapshot } from "../ledger/index.ts";

export interface PastFacts {
  person: Person | undefined;
  chain: ChainState;
  measures: Measure[];
  penalties: Penalty[];
}

export interface EligibilityStore {
  now(personId: PersonId): Promise<PersonSnapshot>;
  asOf(personId: PersonId, cutoff: string, measureTypes: readonly string[], penaltiesSince: string): Promise<PastFacts>;
  audit(record: AuditRecord): Promise<void>;
  /** Records between two instants (inclusive), newest first, a page at a time. */
  auditTrail(window: { from: string; to: string }, limit: number, cursor?: string): Promise<Page<AuditRecord>>;
}
