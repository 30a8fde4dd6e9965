/** Ports of the integrity context: where observations, sources' daily counts and review items are kept. */
import type { HeldAwardView } from "../awards/index.ts";
import type { PersonId } from "../kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../ledger/index.ts";
import type { Flag } from "./detectors.ts";
import type { Observation } from "./observations.ts";

export const reviewStatuses = ["open", "dismissed", "confirmed"] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** A flag waiting for, or decided by, an approver (domain/integrity/reviews.ts). */
export interface ReviewItem extends Flag {
  status: ReviewStatus;
  /** The people whose further awards wait until this item is decided (the hold policy). */
  held?: PersonId[];
  decision?: { by: PersonId; at: string; reason: string };
  /** The awards kept while it held its people (read with one item, never stored on it). */
  heldAwards?: HeldAwardView[];
}

/** An accepted event, counted on its source's day (the company's). */
export interface CountedEvent {
  sourceId: string;
  eventId: string;
  day: string;
}

/** The stream records a batch was made of: the lowest and highest sequence numbers (decimal strings). */
export interface StreamRange {
  from: string;
  to: string;
}

export interface ObservationStore {
  /** Keeps each observation at least once, always as the same item (a replayed stream batch writes it again, unchanged). */
  observe(observations: readonly Observation[]): Promise<void>;
  /**
   * Counts each event on its source's day exactly once, however often the stream delivers the
   * records of `range` again and however it splits them into batches.
   */
  count(range: StreamRange, events: readonly CountedEvent[]): Promise<void>;
  /** A person's kept observations since an instant, oldest first (a bounded number, the newest). */
  window(personId: PersonId, since: string): Promise<Observation[]>;
  /** The newest entries of a person's chain recorded since an instant, at most `limit`, oldest first. */
  chain(personId: PersonId, since: string, limit: number): Promise<LedgerEntry[]>;
  /** A source's accepted events per day (the company's), from `since` (a day) on. */
  sourceDays(sourceId: string, since: string): Promise<Map<string, number>>;
  /** The event record a retraction retracted. */
  originalEvent(sourceId: string, eventId: string): Promise<EventRecord | undefined>;
}

export interface ReviewPage {
  items: ReviewItem[];
  cursor?: string;
}

export interface ReviewStore {
  /** Opens the item unless one with its id (its cause) exists; says whether it did. */
  open(item: ReviewItem): Promise<boolean>;
  /** Which of these ids have an item already (a read is cheaper than a write refused by its condition). */
  known(flagIds: readonly string[]): Promise<Set<string>>;
  get(flagId: string): Promise<ReviewItem | undefined>;
  list(status: ReviewStatus, limit: number, cursor?: string): Promise<ReviewPage>;
  /** Writes the decision if the item is still open, and lifts its holds; false if someone decided it first. */
  decide(item: ReviewItem): Promise<boolean>;
}

export type { HoldBook } from "../ledger/index.ts";

/** The awards kept while people were held (the awards context's webhook, domain/awards/held-awards.ts). */
export interface HeldAwards {
  heldOf(personId: PersonId): Promise<HeldAwardView[]>;
  /** Posts the person's held awards, each once; answers how many it settled. */
  releaseHeld(personId: PersonId, by: PersonId): Promise<number>;
  /** Rejects the person's held awards that this review item held; answers how many. */
  rejectHeld(personId: PersonId, flagId: string, by: PersonId, reason: string): Promise<number>;
}
