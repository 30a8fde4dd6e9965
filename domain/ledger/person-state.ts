/**
 * What is kept beside a person's balances and written in the same transaction as their entries:
 * progress on award rules, the latest measures and the active penalties that promotion gates read.
 * The ledger stores these; the awards and gates contexts give them meaning.
 */
import type { PersonId } from "../kernel/model.ts";
import type { LedgerEntry } from "./ledger.ts";

export interface CapUsage {
  coins: number;
  points: number;
}

export interface StreakProgress {
  /** Matching events per period key, only for the periods a streak could still use. */
  periods: Record<string, number>;
  /** The last period of the streak last awarded: periods up to it do not count again. */
  awardedAt?: string;
}

export interface RuleProgress {
  /** Matching events (retracted ones subtracted); badge criteria read it. */
  count: number;
  /** Awards given by a first or count trigger: what makes "first" and "atCount" award once. */
  awarded?: number;
  streak?: StreakProgress;
  /** Coins and points granted per cap period key, for the newest few periods only. */
  caps?: Record<string, CapUsage>;
}

/** One person's progress on every rule that has matched one of their events. */
export interface RuleState {
  rules: Record<string, RuleProgress>;
  /**
   * Where the person's latest event that changed this progress sits in the order events are
   * settled (`EventRecord.placedAt`): the next one is placed after it. States written before it lack it.
   */
  at?: string;
}

export const emptyRuleState = (): RuleState => ({ rules: {} });

/**
 * What one event changed in one person's progress on one rule: the count went up by one, and
 * whatever else is listed. `pruned` holds the periods the event pushed out of a window, so that
 * undoing the newest event brings them back.
 */
export interface RuleEffect {
  personId: PersonId;
  ruleId: string;
  awarded?: 1;
  streak?: { period: string; pruned?: Record<string, number>; awardedAt?: string; previousAwardedAt?: string };
  cap?: { period: string; coins: number; points: number; pruned?: Record<string, CapUsage> };
}

/** One reported measure: the latest event of a type, its numeric fields. */
export interface Measure {
  eventType: string;
  sourceId: string;
  eventId: string;
  time: string;
  values: Record<string, number>;
}

export interface Penalty {
  entryId: string;
  category: string;
  occurredAt: string;
}

/**
 * What promotion gates read besides balances: the latest measure reported per event type, and
 * the penalties not reversed (the newest few). Written in the same transaction as the entries.
 */
export interface PersonFacts {
  measures: Record<string, Measure>;
  penalties: Penalty[];
}

export const emptyFacts = (): PersonFacts => ({ measures: {}, penalties: [] });

const penaltiesKept = 50;

/**
 * The active penalties after some entries: a deduction adds one (one per request, however many
 * assets it took), a reversal of a penalty's entry removes it. Only the newest few are kept.
 */
export function penaltiesAfter(penalties: readonly Penalty[], entries: readonly LedgerEntry[]) {
  const deduction = entries.find((e) => e.kind === "deduction");
  const reversed = new Set(entries.flatMap((e) => (e.reverses ? [e.reverses as string] : [])));
  const added: Penalty | undefined = deduction
    ? { entryId: deduction.entryId, category: deduction.category ?? "penalty", occurredAt: deduction.occurredAt }
    : undefined;
  const kept = penalties.filter((p) => !reversed.has(p.entryId));
  const list = [...kept, ...(added ? [added] : [])].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)).slice(-penaltiesKept);
  return { list, added, changed: added !== undefined || kept.length !== penalties.length };
}
