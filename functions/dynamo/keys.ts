/** Key builders: the only place that knows how items are keyed (see tables.ts). */
import type { AccountId, EntryId, OrgUnitId, PersonId } from "../../domain/kernel/model.ts";

const seqWidth = 12;
const boardShards = 4;
/** A source's daily counts spread over this many partitions: a busy source's events would otherwise all write one item. */
const sourceDayShards = 8;

/** A stable spread of ids over `count` keys (FNV-1a): the same id always lands in the same one. */
function spreadOf(id: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return hash % count;
}

export const keys = {
  entry: (holder: AccountId, seq: number) => ({ pk: `CHAIN#${holder}`, sk: `ENTRY#${String(seq).padStart(seqWidth, "0")}` }),
  entryPrefix: "ENTRY#",
  chain: (holder: AccountId) => `CHAIN#${holder}`,
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${scope}#${key}`, sk: "IDEM" }),
  reversal: (entryId: EntryId) => ({ pk: `REVERSED#${entryId}`, sk: "REVERSED" }),
  /** A redemption's reward handed over (ledger table, written once). */
  collection: (entryId: EntryId) => ({ pk: `COLLECTED#${entryId}`, sk: "COLLECTED" }),
  head: (holder: AccountId) => ({ pk: `CHAIN#${holder}`, sk: "HEAD" }),
  person: (personId: PersonId) => ({ pk: `PERSON#${personId}`, sk: "PROFILE" }),
  /** Who holds a user id at an outside provider: a pointer to the person, who must still hold it. */
  identity: (provider: string, subject: string) => ({ pk: `IDENTITY#${provider}#${subject}`, sk: "PERSON" }),
  spentCode: (codeHash: string) => ({ pk: `SIGNIN#${codeHash}`, sk: "SPENT" }),
  personByUnit: (orgUnitId: OrgUnitId, personId: PersonId) => ({ gsi1pk: `UNIT#${orgUnitId}`, gsi1sk: `PERSON#${personId}` }),
  unitMembers: (orgUnitId: OrgUnitId) => `UNIT#${orgUnitId}`,
  /**
   * The org tree is read whole by every instance whose cache expired, so it is kept in
   * `orgCopies` identical copies (`ORG#0` …), all written in each change's transaction; a reader
   * reads one copy at random (docs/SCALE.md). Units written before the copies sit in the
   * `legacyOrgPartition`, read beside the copy until written again.
   */
  orgUnit: (orgUnitId: OrgUnitId, copy: number) => ({ pk: `ORG#${copy}`, sk: `UNIT#${orgUnitId}` }),
  orgCopies: 16,
  orgCopy: (copy: number) => `ORG#${copy}`,
  legacyOrgUnit: (orgUnitId: OrgUnitId) => ({ pk: "ORG", sk: `UNIT#${orgUnitId}` }),
  legacyOrgPartition: "ORG",
  /** A provisioning client (SCIM) and the hashes of its credentials. */
  provisioner: (clientId: string) => ({ pk: `PROVISIONER#${clientId}`, sk: "CREDENTIALS" }),
  definition: (kind: string, id: string) => ({ pk: `DEF#${kind}`, sk: id }),
  definitionPartition: (kind: string) => `DEF#${kind}`,
  /**
   * A counter per kind, moved by every change: what tells an instance its cached definitions are
   * out of date. Every request reads it, so it is kept in `definitionVersionCopies` identical
   * copies, all moved in the change's transaction; a reader reads any one (docs/SCALE.md).
   */
  definitionVersions: (copy: number) => ({ pk: `DEFINITIONS#${copy}`, sk: "VERSIONS" }),
  definitionVersionCopies: 8,
  definitionVersion: (kind: string, id: string, version: number) => ({
    pk: `DEFV#${kind}#${id}`,
    sk: `V#${String(version).padStart(8, "0")}`,
  }),
  event: (sourceId: string, eventId: string) => ({ pk: `EVENT#${sourceId}#${eventId}`, sk: "EVENT" }),
  eventPrefix: "EVENT#",
  /** Accepted events by the UTC day and instant they happened, spread over shards so no partition takes every event. */
  eventLog: (day: string, shard: number) => `EVLOG#${day}#${shard}`,
  eventLogEntry: (day: string, shard: number, time: string, sourceId: string, eventId: string) => ({
    pk: `EVLOG#${day}#${shard}`,
    sk: `${time}#${sourceId}#${eventId}`,
  }),
  eventLogShards: 4,
  /**
   * An award held for a review or an approval (ledger table, written once), listed by person, and
   * how it ended, beside it (written once, in the transaction that posts it).
   */
  heldAward: (personId: string, sourceId: string, eventId: string) => ({ pk: `HELD#${personId}`, sk: `EVENT#${sourceId}#${eventId}` }),
  heldSettled: (personId: string, sourceId: string, eventId: string) => ({ pk: `HELD#${personId}`, sk: `SETTLED#${sourceId}#${eventId}` }),
  heldOf: (personId: string) => `HELD#${personId}`,
  /** A budget's awards held for an approver, oldest first (ledger table, written with the held award). */
  budgetHeldAward: (budgetId: string, heldAt: string, personId: string, sourceId: string, eventId: string) => ({
    pk: `HELDBUDGET#${budgetId}`,
    sk: `${heldAt}#${personId}#${sourceId}#${eventId}`,
  }),
  budgetHeldAwards: (budgetId: string) => `HELDBUDGET#${budgetId}`,
  /**
   * The awards budgets held, across budgets, by status (state table): the approvers' list. Put in
   * the held list in the transaction that keeps the award, moved to its outcome's list (by when it
   * ended) in the one that settles it. Awards are held only when a budget is exhausted, and
   * approvers are few: one partition per status takes a few writes per held award, far below its limits.
   */
  heldListing: (status: string, at: string, personId: string, sourceId: string, eventId: string) => ({
    pk: `HELDLIST#${status}`,
    sk: `${at}#${personId}#${sourceId}#${eventId}`,
  }),
  heldList: (status: string) => `HELDLIST#${status}`,
  retraction: (sourceId: string, eventId: string) => ({ pk: `RETRACTED#${sourceId}#${eventId}`, sk: "RETRACTED" }),
  // Fund pools, claims, counters (docs/FUND.md).
  fund: (fundId: string) => ({ pk: "FUNDS", sk: `FUND#${fundId}` }),
  fundPartition: "FUNDS",
  claim: (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: "CLAIM" }),
  claimByOwner: (personId: string, claimId: string) => ({ gsi1pk: `CLAIMANT#${personId}`, gsi1sk: `CLAIM#${claimId}` }),
  claimsOfOwner: (personId: string) => `CLAIMANT#${personId}`,
  claimStep: (claimId: string, step: number) => ({ pk: `CLAIMLOG#${claimId}`, sk: `STEP#${String(step).padStart(6, "0")}` }),
  claimLog: (claimId: string) => `CLAIMLOG#${claimId}`,
  /**
   * Claims waiting for a decision: every approver's queue, oldest first, in one partition. A claim
   * is written a few times in its life and approvers are few, so the partition stays far below its
   * limits at a million people (docs/SCALE.md); kept with each write of the claim (ledger-store.ts).
   */
  waitingClaim: (createdAt: string, claimId: string) => ({ pk: "WAITING#CLAIMS", sk: `${createdAt}#${claimId}` }),
  waitingClaimsPartition: "WAITING#CLAIMS",
  /** A person's redemption as "my redemptions" lists it, newest first by its place in their chain (domain/fund/redemptions.ts). */
  redemption: (personId: string, seq: number) => ({ pk: `REDEMPTIONS#${personId}`, sk: `R#${String(seq).padStart(seqWidth, "0")}` }),
  redemptionsPartition: (personId: string) => `REDEMPTIONS#${personId}`,
  settlement: (claimId: string) => ({ pk: `SETTLED#${claimId}`, sk: "SETTLED" }),
  counter: (name: string) => ({ pk: `COUNTER#${name}`, sk: "COUNTER" }),
  facts: (personId: PersonId) => ({ pk: `FACTS#${personId}`, sk: "FACTS" }),
  /** By the time the ledger learnt of it: `asOf` asks what was known at the end of a day. */
  measure: (personId: PersonId, eventType: string, recordedAt: string, eventId: string) => ({
    pk: `MEASURE#${personId}`,
    sk: `${eventType}#${recordedAt}#${eventId}`,
  }),
  measurePartition: (personId: PersonId) => `MEASURE#${personId}`,
  penalty: (personId: PersonId, occurredAt: string, entryId: string) => ({ pk: `PENALTY#${personId}`, sk: `${occurredAt}#${entryId}` }),
  penaltyPartition: (personId: PersonId) => `PENALTY#${personId}`,
  checkpoint: (holder: AccountId, recordedAt: string, seq: number) => ({
    pk: `CKPT#${holder}`,
    sk: `${recordedAt}#${String(seq).padStart(12, "0")}`,
  }),
  checkpointPartition: (holder: AccountId) => `CKPT#${holder}`,
  audit: (day: string, at: string, id: string) => ({ pk: `AUDIT#${day}`, sk: `${at}#${id}` }),
  auditPartition: (day: string) => `AUDIT#${day}`,
  // Leaderboards (functions/dynamo/leaderboard-store.ts): aggregates, all under
  // "LB#", the only keys the projector may write.
  boardPrefix: "LB#",
  boardPerson: (personId: string, periodKey: string) => ({ pk: `LB#PERSON#${personId}`, sk: `P#${periodKey}` }),
  /** The person whose aggregate a `boardPerson` partition key is. */
  boardPersonOf: (partitionKey: string) => partitionKey.slice("LB#PERSON#".length),
  /**
   * An org unit's aggregate of one period is written by every points entry of its people, so it is
   * a partition per period, and a unit just below the group (the largest) is split in `boardShards`
   * shards, a person's entries always in the same one (by a hash of the person id); a read sums
   * them (docs/SCALE.md).
   */
  boardUnit: (orgUnitId: string, periodKey: string, shard: number) => ({ pk: `LB#UNIT#${orgUnitId}#${periodKey}#${shard}`, sk: "AGG" }),
  /** Where a unit's aggregate was kept before the split: no longer written, still summed in. */
  boardUnitBeforeShards: (orgUnitId: string, periodKey: string) => ({ pk: `LB#UNIT#${orgUnitId}`, sk: `P#${periodKey}` }),
  /**
   * The value of a person's period item's `lb<level>` attribute: the board of their org unit at that
   * level of the tree (1: below the group) in the item's period, in the person's shard. The state
   * table's index `lb<level>` holds each board's people and points (functions/dynamo/tables.ts); the
   * value is short because a board of a thousand people reads it a thousand times.
   */
  boardIndex: (orgUnitId: string, periodKey: string, shard: number) => `B#${orgUnitId}#${periodKey}#${shard}`,
  boardIndexLevels: 4,
  /** The shards of a unit's aggregate and board just below the group; deeper units are small enough for one. */
  boardShards,
  boardShardsAt: (level: number) => (level === 1 ? boardShards : 1),
  /** The shard of a person's contributions to the shared board items of a unit at `level`. */
  boardShardOf: (personId: string, level: number) => spreadOf(personId, level === 1 ? boardShards : 1),
  preferences: (personId: string) => ({ pk: `PREFS#${personId}`, sk: "PREFS" }),
  /** Late entries summed by the day they happened and the day they were recorded (domain/ledger/late.ts). */
  late: (personId: string, occurredDay: string, recordedDay: string) => ({ pk: `LATE#${personId}`, sk: `${occurredDay}#${recordedDay}` }),
  latePartition: (personId: string) => `LATE#${personId}`,
  // Bounties (揭榜挂帅): the bounty (versioned, state table, all in one partition for the board) and
  // its history steps (append-only, ledger table).
  bounty: (bountyId: string) => ({ pk: "BOUNTIES", sk: `BOUNTY#${bountyId}` }),
  bountyPartition: "BOUNTIES",
  bountyStep: (bountyId: string, step: number) => ({ pk: `BOUNTYLOG#${bountyId}`, sk: `STEP#${String(step).padStart(6, "0")}` }),
  bountyLog: (bountyId: string) => `BOUNTYLOG#${bountyId}`,
  // History imports: one marker per record of another system, and the import's progress.
  imported: (system: string, recordId: string) => ({ pk: `IMPORTED#${system}#${recordId}`, sk: "IMPORTED" }),
  importJob: (importId: string) => ({ pk: `IMPORT#${importId}`, sk: "IMPORT" }),
  // Notifications (functions/dynamo/stores/notification-store.ts): the outbox, one item per
  // person and cause, listed by when the ledger recorded the cause; the channels, the dead
  // letters, and each person's notification preferences.
  notice: (personId: string, at: string, causeId: string) => ({ pk: `NOTE#${personId}`, sk: `${at}#${causeId}` }),
  noticePartition: (personId: string) => `NOTE#${personId}`,
  /** A person's first time meeting a gate version, and whether it was told (domain/notifications/gate-notices.ts). */
  gateMark: (personId: string, gateId: string, version: number) => ({ pk: `GATEMET#${personId}`, sk: `${gateId}#v${version}` }),
  channel: (channelId: string) => ({ pk: "NOTIFY#CHANNELS", sk: channelId }),
  channelPartition: "NOTIFY#CHANNELS",
  deadLetter: (letterId: string) => ({ pk: "NOTIFY#DEAD", sk: letterId }),
  deadLetterPartition: "NOTIFY#DEAD",
  /** A group robot's messages in one UTC minute (at most 20: DingTalk's and WeCom's limit). */
  robotMinute: (channelId: string, minute: string) => ({ pk: `NOTIFY#RATE#${channelId}`, sk: minute }),
  notificationPreferences: (personId: string) => ({ pk: `NOTIFYPREFS#${personId}`, sk: "PREFS" }),
  // Anti-gaming (functions/dynamo/stores/integrity-store.ts): a person's observations by when the
  // ledger recorded them, a source's accepted events per day (the company's) on shards by event,
  // the stream records counted, review items listed by status (gsi1), and the holds on flagged people.
  observation: (personId: string, key: string) => ({ pk: `INTEG#PERSON#${personId}`, sk: key }),
  observations: (personId: string) => `INTEG#PERSON#${personId}`,
  sourceDay: (sourceId: string, eventId: string, day: string) => ({
    pk: `INTEG#SOURCE#${sourceId}#${spreadOf(eventId, sourceDayShards)}`,
    sk: day,
  }),
  sourceDayShard: (sourceId: string, shard: number) => `INTEG#SOURCE#${sourceId}#${shard}`,
  /** The events a stream batch counted, by the highest and lowest sequence number of its records (zero-padded to sort). */
  countedRecords: (to: string, from: string, digest: string) => ({ pk: "INTEG#COUNTED", sk: `${to}#${from}#${digest}` }),
  countedRecordsPartition: "INTEG#COUNTED",
  sourceDayShards,
  reviewItem: (flagId: string) => ({ pk: `REVIEW#${flagId}`, sk: "REVIEW" }),
  reviewsByStatus: (status: string, raisedAt: string, flagId: string) => ({ gsi1pk: `REVIEWS#${status}`, gsi1sk: `${raisedAt}#${flagId}` }),
  reviewStatus: (status: string) => `REVIEWS#${status}`,
  hold: (personId: string) => ({ pk: `HOLD#${personId}`, sk: "HOLD" }),
  /** A review item as it was opened (ledger table, written once with it): on the stream, the notifier tells approvers. */
  reviewOpened: (flagId: string) => ({ pk: `REVIEWLOG#${flagId}`, sk: "OPENED" }),
  reviewLogPrefix: "REVIEWLOG#",
  budgetHeldPrefix: "HELDBUDGET#",
  /** A backtest run as a job: its progress, then its report (domain/backtests). */
  backtestJob: (backtestId: string) => ({ pk: `BACKTEST#${backtestId}`, sk: "JOB" }),
  /** A rule's backtest jobs by when they started (gsi1 of the job's own item): the rule's list, newest first. */
  backtestOfRule: (ruleId: string, startedAt: string, backtestId: string) => ({
    gsi1pk: `BACKTESTS#${ruleId}`,
    gsi1sk: `${startedAt}#${backtestId}`,
  }),
  backtestsOfRule: (ruleId: string) => `BACKTESTS#${ruleId}`,
};

/**
 * Partition key families of the state table as IAM `dynamodb:LeadingKeys` patterns: lib/access.ts
 * limits each function's writes to the families it owns.
 */
export const stateKeyFamilies = {
  chainHeads: ["CHAIN#*"],
  facts: ["FACTS#*"],
  directory: ["PERSON#*", "IDENTITY#*", "ORG", "ORG#*", "PROVISIONER#*"],
  funds: ["FUNDS", "CLAIM#*"],
  /** The approvers' queue: written (and removed from) with every write of a claim. */
  waitingClaims: ["WAITING#CLAIMS"],
  /** People's redemption lists, written with their redemptions, hand-overs and cancellations. */
  redemptions: ["REDEMPTIONS#*"],
  counters: ["COUNTER#*"],
  /** Draws on coin budgets (domain/budgets): the counters coin awards move. */
  budgetDraws: ["COUNTER#budget:*"],
  preferences: ["PREFS#*"],
  boards: ["LB#*"],
  eventLog: ["EVLOG#*"],
  late: ["LATE#*"],
  bounties: ["BOUNTIES"],
  imports: ["IMPORT#*"],
  spentCodes: ["SIGNIN#*"],
  notices: ["NOTE#*", "GATEMET#*"],
  /** Channels (admin) and dead letters (the deliverer writes them, admins replay them). */
  notificationChannels: ["NOTIFY#*"],
  notificationPreferences: ["NOTIFYPREFS#*"],
  /** What the detectors keep (the projector writes them from the stream). */
  observations: ["INTEG#*"],
  /** The approvers' list of awards budgets held, moved from held to posted or rejected as each is settled. */
  heldList: ["HELDLIST#*"],
  /** Review items (opened by the projector, decided by approvers) and the holds they put on people. */
  reviews: ["REVIEW#*", "HOLD#*"],
  /** Backtest jobs (admin): progress and reports. */
  backtests: ["BACKTEST#*"],
  definitions: (kind: string) => [`DEF#${kind}`, `DEFV#${kind}#*`, "DEFINITIONS#*"],
} as const;

/** Strips key attributes off an item read back from a table. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}
