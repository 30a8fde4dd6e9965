/** Key builders: the only place that knows how items are keyed (see tables.ts). */
import type { AccountId, EntryId, OrgUnitId, PersonId } from "../../domain/kernel/model.ts";

const seqWidth = 12;

export const keys = {
  entry: (holder: AccountId, seq: number) => ({ pk: `CHAIN#${holder}`, sk: `ENTRY#${String(seq).padStart(seqWidth, "0")}` }),
  entryPrefix: "ENTRY#",
  chain: (holder: AccountId) => `CHAIN#${holder}`,
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${scope}#${key}`, sk: "IDEM" }),
  reversal: (entryId: EntryId) => ({ pk: `REVERSED#${entryId}`, sk: "REVERSED" }),
  head: (holder: AccountId) => ({ pk: `CHAIN#${holder}`, sk: "HEAD" }),
  person: (personId: PersonId) => ({ pk: `PERSON#${personId}`, sk: "PROFILE" }),
  /** Who holds a user id at an outside provider: a pointer to the person, who must still hold it. */
  identity: (provider: string, subject: string) => ({ pk: `IDENTITY#${provider}#${subject}`, sk: "PERSON" }),
  personByUnit: (orgUnitId: OrgUnitId, personId: PersonId) => ({ gsi1pk: `UNIT#${orgUnitId}`, gsi1sk: `PERSON#${personId}` }),
  unitMembers: (orgUnitId: OrgUnitId) => `UNIT#${orgUnitId}`,
  orgUnit: (orgUnitId: OrgUnitId) => ({ pk: "ORG", sk: `UNIT#${orgUnitId}` }),
  orgPartition: "ORG",
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
  retraction: (sourceId: string, eventId: string) => ({ pk: `RETRACTED#${sourceId}#${eventId}`, sk: "RETRACTED" }),
  // Fund pools, claims, counters (docs/FUND.md).
  fund: (fundId: string) => ({ pk: "FUNDS", sk: `FUND#${fundId}` }),
  fundPartition: "FUNDS",
  claim: (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: "CLAIM" }),
  claimByOwner: (personId: string, claimId: string) => ({ gsi1pk: `CLAIMANT#${personId}`, gsi1sk: `CLAIM#${claimId}` }),
  claimsOfOwner: (personId: string) => `CLAIMANT#${personId}`,
  claimStep: (claimId: string, step: number) => ({ pk: `CLAIMLOG#${claimId}`, sk: `STEP#${String(step).padStart(6, "0")}` }),
  claimLog: (claimId: string) => `CLAIMLOG#${claimId}`,
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
  boardUnit: (orgUnitId: string, periodKey: string) => ({ pk: `LB#UNIT#${orgUnitId}`, sk: `P#${periodKey}` }),
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
  channel: (channelId: string) => ({ pk: "NOTIFY#CHANNELS", sk: channelId }),
  channelPartition: "NOTIFY#CHANNELS",
  deadLetter: (letterId: string) => ({ pk: "NOTIFY#DEAD", sk: letterId }),
  deadLetterPartition: "NOTIFY#DEAD",
  /** A group robot's messages in one UTC minute (at most 20: DingTalk's and WeCom's limit). */
  robotMinute: (channelId: string, minute: string) => ({ pk: `NOTIFY#RATE#${channelId}`, sk: minute }),
  notificationPreferences: (personId: string) => ({ pk: `NOTIFYPREFS#${personId}`, sk: "PREFS" }),
};

/**
 * Partition key families of the state table as IAM `dynamodb:LeadingKeys` patterns: lib/access.ts
 * limits each function's writes to the families it owns.
 */
export const stateKeyFamilies = {
  chainHeads: ["CHAIN#*"],
  facts: ["FACTS#*"],
  directory: ["PERSON#*", "IDENTITY#*", "ORG"],
  funds: ["FUNDS", "CLAIM#*"],
  counters: ["COUNTER#*"],
  preferences: ["PREFS#*"],
  boards: ["LB#*"],
  late: ["LATE#*"],
  bounties: ["BOUNTIES"],
  imports: ["IMPORT#*"],
  notices: ["NOTE#*"],
  /** Channels (admin) and dead letters (the deliverer writes them, admins replay them). */
  notificationChannels: ["NOTIFY#*"],
  notificationPreferences: ["NOTIFYPREFS#*"],
  definitions: (kind: string) => [`DEF#${kind}`, `DEFV#${kind}#*`, "DEFINITIONS#*"],
} as const;

/** Strips key attributes off an item read back from a table. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}
