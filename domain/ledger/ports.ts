/**
 * Ports: what the domain needs from storage. Adapters (functions/dynamo/*-store.ts) implement
 * them on DynamoDB; domain tests may implement them with plain values.
 */

import type { Person } from "../directory/index.ts";
import type { AccountId, AssetKey, EntryId, PersonId } from "../kernel/model.ts";
import type { Page } from "../kernel/ports.ts";
import type { ChainState, LedgerEntry } from "./ledger.ts";
import type { Measure, Penalty, PersonFacts, RuleEffect, RuleState } from "./person-state.ts";

/** Proof that a request was carried out: kept for ever, so retries any time later are safe. */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  fingerprint: string;
  result: unknown;
  recordedAt: string;
}

export interface IdempotencyRef {
  scope: string;
  key: string;
}

/** Everything one write needs to know about a person, read in one round trip. */
export interface PersonSnapshot {
  person: Person | undefined;
  chain: ChainState;
  /** Progress on award rules, kept beside the balances and written in the same transaction. */
  ruleState: RuleState;
  /** Bumped by every write of the head: the optimistic-concurrency token (0: no head yet). */
  headVersion: number;
  /** Latest measures and active penalties, for promotion gates. */
  facts: PersonFacts;
  idempotency: IdempotencyRecord | undefined;
}

/** What one achievement event did: kept for ever, so a redelivery finds the original awards. */
export interface EventRecord {
  sourceId: string;
  eventId: string;
  type: string;
  fingerprint: string;
  recordedAt: string;
  awards: AwardView[];
  /** Rule-state changes, undone exactly if the source retracts the event. */
  effects: RuleEffect[];
  /** For a retraction event: the event it retracted. */
  retracts?: string;
  /**
   * The event as it was accepted, kept so that history can be replayed (backtests, detectors):
   * who it is about, when it happened, its data, and the version of each rule for its type that
   * evaluated it. Records written before events were kept lack them. Personal data: retention in
   * docs/OPERATIONS.md.
   */
  subject?: PersonId;
  /** A team event's members as they were then, each of whom a team rule paid a share. */
  members?: PersonId[];
  /**
   * Members a review held when the event came: their shares were kept (held awards,
   * domain/awards/held-awards.ts), posted or rejected when the review is decided, not in `awards`.
   */
  heldMembers?: PersonId[];
  time?: string;
  /**
   * Where the event sits in the order its people's events were settled: its time, or a
   * millisecond after the latest of theirs if that is later (a correction sent again with the
   * original's time is placed after its retraction). The event log orders a replay by it;
   * records written before it lack it, and their time stands in.
   */
  placedAt?: string;
  data?: Record<string, unknown>;
  ruleVersions?: Record<string, number>;
  /** The coins drawn from issuance budgets' counters (domain/budgets), given back if the event is retracted. */
  budgetDraws?: { counter: string; delta: number }[];
}

export interface AwardView {
  personId: PersonId;
  entryId: EntryId;
  asset: AssetKey;
  amount: number;
  kind: "award" | "reversal";
  ruleId?: string;
  ruleVersion?: number;
  reason: string;
}

export interface EventSnapshot {
  record: EventRecord | undefined;
  /** The event that retracted this one, if any. */
  retractedBy: string | undefined;
  people: Map<PersonId, PersonSnapshot>;
}

export interface EntrySnapshot {
  entry: LedgerEntry | undefined;
  reversedBy: EntryId | undefined;
  /** For a redemption: when and by whom the reward was handed over. */
  collected: Collection | undefined;
}

/** A redeemed reward handed over to its redeemer: a status beside the entry, not an entry (docs/FUND.md). */
export interface Collection {
  collectedAt: string;
  collectedBy: PersonId;
}

/** An entry as a history page shows it: a redemption with its hand-over, once there is one. */
export type HistoryEntry = LedgerEntry & { collected?: Collection };

/** New entries at the end of one chain, and the chain head they lead to. */
export interface ChainAppend {
  before: ChainState;
  after: ChainState;
  entries: readonly LedgerEntry[];
  ruleState: RuleState;
  /** The head version the change was computed from; the write fails if it moved on. */
  headVersion: number;
  /** Further attributes of the head item, written with it (a fund pool's book: see domain/fund/fund.ts). */
  attributes?: Readonly<Record<string, unknown>>;
}

/** Items written once, never changed, in the same transaction as the entries they vouch for. */
export type OnceRecord =
  | { kind: "idempotency"; record: IdempotencyRecord }
  /** Marks an entry as reversed, once and for all. */
  | { kind: "reversal"; entryId: EntryId; reversedBy: EntryId; recordedAt: string }
  | { kind: "event"; record: EventRecord }
  /** Marks a source's event as retracted, once and for all. */
  | { kind: "retraction"; sourceId: string; eventId: string; retractedBy: string; recordedAt: string }
  /** A reported measure, kept by time so gates can read it as of a past day. */
  | { kind: "measure"; personId: PersonId; measure: Measure; recordedAt: string }
  /** A penalty, kept by time so gates can read it as of a past day. */
  | { kind: "penalty"; personId: PersonId; penalty: Penalty; recordedAt: string }
  /** Marks a fund claim's reservation as settled (posted or voided), once and for all. */
  | { kind: "settlement"; claimId: string; outcome: "posted" | "voided"; entryIds: EntryId[]; recordedAt: string }
  /** One step of a fund claim's history (append-only, numbered from 1). */
  | { kind: "claim-step"; claimId: string; step: number; body: Record<string, unknown> }
  /** One step of a bounty's history (append-only, numbered from 1): every state it went through. */
  | { kind: "bounty-step"; bountyId: string; step: number; body: Record<string, unknown> }
  /** Marks a redemption's reward as handed over, once and for all. */
  | ({ kind: "collection"; entryId: EntryId } & Collection)
  /**
   * How an award held for a review or an approval ended (posted or rejected), once and for all;
   * one listed for approvers moves from the held to its outcome's list in the same write.
   */
  | { kind: "held-settled"; settled: HeldSettlement; listing?: HeldListingMove }
  /** A team member's share of an event kept for a review (domain/awards/held-awards.ts), written with the event's record. */
  | { kind: "held"; personId: PersonId; sourceId: string; eventId: string; body: Record<string, unknown> }
  /** Marks a record of another system as imported, once and for all (re-imports find it). */
  | { kind: "imported"; system: string; recordId: string; entryId: EntryId; importId: string; runId: string; recordedAt: string };

/** The end of an award held for a review or an approval (domain/awards/held-awards.ts). */
export interface HeldSettlement {
  personId: PersonId;
  sourceId: string;
  eventId: string;
  outcome: "posted" | "rejected";
  by: PersonId;
  reason: string;
  recordedAt: string;
  /**
   * A team member's share posted: what its posting wrote (it has no event record of its own), so
   * that a retraction of the event undoes it with the event's other awards.
   */
  posting?: { entryIds: EntryId[]; effects: RuleEffect[]; budgetDraws?: { counter: string; delta: number }[] };
}

/**
 * An award a budget held, as the approvers' list across budgets shows it (functions/dynamo/stores/
 * held-award-store.ts): out of the held list (by `heldAt`), into its outcome's (by when it ended).
 */
export interface HeldListingMove {
  heldAt: string;
  /** The award as listed once settled. */
  body: Record<string, unknown>;
}

/**
 * A counter beside the entries (a reward's stock issued, a person's redemptions in a period),
 * changed by `delta` in the same transaction, which fails if the result would leave [min, max].
 * A counter that does not exist yet counts as 0.
 */
export interface CounterUpdate {
  counter: string;
  delta: number;
  min?: number;
  max?: number;
}

/**
 * A mutable workflow item (a fund claim, a bounty), replaced in the same transaction under its
 * version. A claim also keeps its place in the approvers' queue there: in it while pending.
 */
export interface DocumentWrite {
  kind: "claim" | "bounty";
  id: string;
  /** Who it belongs to: listed under them. */
  owner: PersonId;
  /** The new version; the write fails unless the stored one is `version - 1` (or none, for 1). */
  version: number;
  body: Record<string, unknown>;
}

/**
 * A person's redemption as their list shows it (domain/fund/redemptions.ts): a projection of the
 * entries and markers written beside it, replaced in the same transaction.
 */
export interface RedemptionListingWrite {
  personId: PersonId;
  seq: number;
  body: Record<string, unknown>;
  /** The status the stored listing must still have, if one is stored (none yet: a redemption before lists existed). */
  from?: string;
}

/** A once-record that must not exist when the write lands: what makes two outcomes exclusive. */
export type AbsentRecord = { kind: "reversal"; entryId: EntryId } | { kind: "collection"; entryId: EntryId };

export interface AppendWrite {
  chains: readonly ChainAppend[];
  records: readonly OnceRecord[];
  absent?: readonly AbsentRecord[];
  /** People's facts, replaced (their chain heads in the same write serialise concurrent writers). */
  facts?: readonly { personId: PersonId; facts: PersonFacts }[];
  counters?: readonly CounterUpdate[];
  documents?: readonly DocumentWrite[];
  redemptions?: readonly RedemptionListingWrite[];
}

/**
 * Accepted events in the order the ledger settled each person's (by `placedAt`, which is when
 * they happened unless they came after a later event of their people): what a replay of history reads. Kept from the ledger's
 * stream (the event records are the truth; this is their index by time, rebuildable from them).
 */
export interface EventLog {
  /** Idempotent: a record kept twice is kept once. Records without a time (written before events were kept) are skipped. */
  keep(records: readonly EventRecord[]): Promise<void>;
  /** Records of the events placed in [from, to), in that order, a page at a time. */
  read(from: string, to: string): AsyncIterable<EventRecord>;
  /** The events retracted by the retractions that happened in [from, to), in no particular order: their source and id only. */
  retracted(from: string, to: string): AsyncIterable<RetractedEvent>;
}

/** An event a retraction names: its source and id. */
export interface RetractedEvent {
  sourceId: string;
  eventId: string;
}

export interface LedgerStore {
  readPerson(personId: PersonId, idempotency?: IdempotencyRef): Promise<PersonSnapshot>;
  /** A write's idempotency record alone, read strongly consistent. */
  readIdempotency(ref: IdempotencyRef): Promise<IdempotencyRecord | undefined>;
  /** Many people's profile, head and facts, in as few round trips as keys allow (an unknown person has no profile). */
  readPeople(personIds: readonly PersonId[]): Promise<Map<PersonId, PersonSnapshot>>;
  /** Entries by id with their reversal markers, in one round trip. */
  readEntries(entryIds: readonly EntryId[]): Promise<Map<EntryId, EntrySnapshot>>;
  /** An event's record and retraction marker and the people it concerns, in one round trip. */
  readEvent(sourceId: string, eventId: string, people: readonly PersonId[]): Promise<EventSnapshot>;
  /** A batch's event records (those already written) and its people, read together in as few round trips as keys allow. */
  readEvents(
    sourceId: string,
    eventIds: readonly string[],
    people: readonly PersonId[],
  ): Promise<{ records: Map<string, EventRecord>; people: Map<PersonId, PersonSnapshot> }>;
  /**
   * Writes entries, the new chain heads and the once-records atomically. Throws
   * `ContentionError` when another write got there first (the caller reads again and retries).
   */
  append(write: AppendWrite): Promise<void>;
  /** Counters by name (0 when absent), read consistently. */
  readCounters(names: readonly string[]): Promise<Map<string, number>>;
  /** Entries newest first. */
  readHistory(holder: AccountId, limit: number, cursor?: string): Promise<Page<HistoryEntry>>;
  /** Entries oldest first, all of them: for verification and rebuilds. */
  readChain(holder: AccountId): AsyncIterable<LedgerEntry>;
}
