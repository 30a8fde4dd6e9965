/**
 * Ports: what the domain needs from storage. Adapters (functions/shared/*-store.ts) implement
 * them on DynamoDB; domain tests may implement them with plain values.
 */
import type { Caller, OrgTree, OrgUnit, Person } from "./directory.ts";
import type { ChainState, LedgerEntry } from "./ledger.ts";
import type { AccountId, EntryId, OrgUnitId, PersonId } from "./model.ts";

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
  idempotency: IdempotencyRecord | undefined;
}

export interface EntrySnapshot {
  entry: LedgerEntry | undefined;
  reversedBy: EntryId | undefined;
}

export interface AppendWrite {
  before: ChainState;
  after: ChainState;
  entries: readonly LedgerEntry[];
  idempotency: IdempotencyRecord;
  /** Marks an entry as reversed, once and for all. */
  reverses?: EntryId;
}

export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}

export interface LedgerStore {
  readPerson(personId: PersonId, idempotency?: IdempotencyRef): Promise<PersonSnapshot>;
  readEntry(entryId: EntryId): Promise<EntrySnapshot>;
  /**
   * Writes entries, the new projection and the idempotency record atomically. Throws
   * `ContentionError` when another write got there first (the caller reads again and retries).
   */
  append(write: AppendWrite): Promise<void>;
  /** Entries newest first. */
  readEntries(holder: AccountId, limit: number, cursor?: string): Promise<Page<LedgerEntry>>;
  /** Entries oldest first, all of them: for verification and rebuilds. */
  readChain(holder: AccountId): AsyncIterable<LedgerEntry>;
}

export interface Directory {
  orgTree(): Promise<OrgTree>;
  person(personId: PersonId): Promise<Person | undefined>;
  putPerson(person: Person): Promise<void>;
  putOrgUnit(unit: OrgUnit): Promise<void>;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  allPeople(): AsyncIterable<Person>;
}

export interface Clock {
  now(): Date;
}

export interface RequestContext {
  caller: Caller;
  clock: Clock;
}
