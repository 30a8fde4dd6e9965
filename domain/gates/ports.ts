/** What eligibility checks need from storage (functions/dynamo/eligibility-store.ts). */
import type { Person } from "../directory/index.ts";
import type { AuditRecord } from "../kernel/audit.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Page } from "../kernel/ports.ts";
import type { AsOfClock, ChainState, Measure, Penalty, PersonSnapshot } from "../ledger/index.ts";

export interface PastFacts {
  person: Person | undefined;
  chain: ChainState;
  measures: Measure[];
  penalties: Penalty[];
}

export interface EligibilityStore {
  now(personId: PersonId): Promise<PersonSnapshot>;
  /** `now` for many people at once, read together (a check over an org unit of 1,000). */
  nowMany(personIds: readonly PersonId[]): Promise<Map<PersonId, PersonSnapshot>>;
  /**
   * The facts at the end of `day` (`cutoff` is that instant): as known then, or with everything
   * known now (late entries, penalties recorded or reversed since; measures stay as known then).
   */
  asOf(
    personId: PersonId,
    at: { day: string; cutoff: string; clock: AsOfClock },
    measureTypes: readonly string[],
    penaltiesSince: string,
  ): Promise<PastFacts>;
  audit(record: AuditRecord): Promise<void>;
  /** Records between two instants (inclusive), newest first, a page at a time. */
  auditTrail(window: { from: string; to: string }, limit: number, cursor?: string): Promise<Page<AuditRecord>>;
}
