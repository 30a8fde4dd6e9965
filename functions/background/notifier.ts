/**
 * Lambda: the notifier, fed by the ledger table's stream (NEW_IMAGE) beside the leaderboard
 * projector. It reads people's new chain entries and claim history steps, turns them into notices
 * (domain/notifications/notices.ts), tells the people those entries leave meeting a promotion gate
 * for the first time (gate-notices.ts: their profile, head and facts read together, a mark per
 * gate met), tells approvers of review items opened and of awards a budget held
 * (approver-notices.ts: the directory's approvers, admins and finance), writes each to the outbox once per cause (a conditional put:
 * a replayed batch writes nothing new) and queues one delivery per channel
 * (functions/background/deliverer.ts sends them). A malformed record and those after it are answered as
 * failed, the records before it handled; a failed write or send fails the whole batch, which
 * Lambda retries (bisecting) and at last describes in the dead-letter queue, from which replaying
 * is safe. Locally scripts/local/stream-poller.ts calls this same handler.
 */
import middy from "@middy/core";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { isActive, type Person } from "../../domain/directory/index.ts";
import type { ClaimStep, FundStore } from "../../domain/fund/index.ts";
import { factsNow, type GateDefinition, gatesMet } from "../../domain/gates/index.ts";
import type { Versioned } from "../../domain/kernel/definitions.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import type { LedgerEntry, PersonSnapshot } from "../../domain/ledger/index.ts";
import {
  approverNotices,
  type BudgetHeld,
  type ClaimStepNotice,
  type GateMarks,
  type GatesMet,
  gateNotices,
  type Notice,
  type NoticeSettings,
  noticeOfClaimStep,
  noticesOfEntries,
  type OutboxWriterDeps,
  type ReviewOpened,
  writeNotices,
} from "../../domain/notifications/index.ts";
import { createDocumentClient } from "../dynamo/client.ts";
import { DynamoDefinitionStore } from "../dynamo/definition-store.ts";
import { DynamoDirectory } from "../dynamo/directory-store.ts";
import { DynamoFundStore } from "../dynamo/fund-store.ts";
import { DynamoLedgerStore } from "../dynamo/ledger-store.ts";
import { DynamoGateMarks, DynamoNotificationStore } from "../dynamo/stores/notification-store.ts";
import { tableName } from "../dynamo/tables.ts";
import { createLogger, type Logger, observe } from "../http/log.ts";
import { budgetHeldOf, claimStepOf, personEntryOf, reviewOpenedOf } from "../notify/ledger-records.ts";
import { createSqsClient, deliveryQueueUrl, SqsDeliveryQueue } from "../notify/sqs-queue.ts";

export interface NotifierDeps extends OutboxWriterDeps {
  claims: Pick<FundStore, "readClaim">;
  settings: NoticeSettings;
  gates: {
    definitions: () => Promise<Versioned<GateDefinition>[]>;
    people: (personIds: readonly PersonId[]) => Promise<Map<PersonId, PersonSnapshot>>;
    marks: GateMarks;
    clock: Clock;
  };
  /** The people of the directory, for those who decide review items and held awards (read only when a batch has some). */
  directory: () => Promise<Person[]>;
  log: Logger;
}

const failedFrom = (records: DynamoDBRecord[], index: number): DynamoDBBatchResponse => ({
  batchItemFailures: records.slice(index).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? "" })),
});

/** The records read up to the first malformed one (its index), which is retried with those after it. */
function readRecords(records: DynamoDBRecord[], log: Logger) {
  const read = { entries: [] as LedgerEntry[], steps: [] as ClaimStep[], opened: [] as ReviewOpened[], held: [] as BudgetHeld[] };
  for (const [index, record] of records.entries()) {
    try {
      const entry = personEntryOf(record);
      const step = entry ? undefined : claimStepOf(record);
      const opened = entry || step ? undefined : reviewOpenedOf(record);
      const held = entry || step || opened ? undefined : budgetHeldOf(record);
      if (entry) read.entries.push(entry);
      if (step) read.steps.push(step);
      if (opened) read.opened.push(opened);
      if (held) read.held.push(held);
    } catch (error) {
      log.error("record not notified", { error, sequenceNumber: record.dynamodb?.SequenceNumber, retriedFromHere: records.length - index });
      return { ...read, malformed: index };
    }
  }
  return { ...read, malformed: undefined };
}

/** A step's claimant and amount come from the claim itself: a decision's actor is the approver. */
async function claimNotices(claims: NotifierDeps["claims"], steps: readonly ClaimStep[]): Promise<Notice[]> {
  const notices = await Promise.all(
    steps.map(async (step): Promise<Notice | undefined> => {
      const { claim } = await claims.readClaim(step.claimId);
      if (!claim) throw new Error(`claim ${step.claimId} of a history step is missing`);
      const input: ClaimStepNotice = { step, claimant: claim.claimant as PersonId, amount: claim.amount, currency: claim.currency };
      return noticeOfClaimStep(input);
    }),
  );
  return notices.filter((notice) => notice !== undefined);
}

/** The people the entries were written to who now meet a gate for their tier, each with their newest entry's time. */
async function gatesMetBy(deps: NotifierDeps["gates"], entries: readonly LedgerEntry[]): Promise<GatesMet[]> {
  const newest = new Map<PersonId, string>();
  for (const entry of entries) {
    const personId = entry.holder.slice("person:".length) as PersonId;
    if (entry.recordedAt > (newest.get(personId) ?? "")) newest.set(personId, entry.recordedAt);
  }
  if (newest.size === 0) return [];
  const gates = await deps.definitions();
  if (gates.length === 0) return [];
  const snapshots = await deps.people([...newest.keys()]);
  return [...newest].flatMap(([personId, at]) => {
    const snapshot = snapshots.get(personId);
    const facts = snapshot && factsNow(deps.clock, snapshot);
    if (!facts || !isActive(facts.person)) return [];
    const met = gatesMet(gates, facts);
    return met.length ? [{ personId, at, gates: met }] : [];
  });
}

export function createNotifier(deps: NotifierDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { entries, steps, opened, held, malformed } = readRecords(event.Records, deps.log);
    try {
      const gates = await gateNotices(deps.gates.marks, await gatesMetBy(deps.gates, entries));
      const toApprovers = opened.length + held.length > 0 ? approverNotices(opened, held, await deps.directory()) : [];
      const notices = [
        ...noticesOfEntries(entries, deps.settings),
        ...(await claimNotices(deps.claims, steps)),
        ...gates.notices,
        ...toApprovers,
      ];
      const outcome = await writeNotices(deps, notices);
      await deps.gates.marks.told(gates.marks);
      deps.log.info("batch notified", { records: event.Records.length, ...outcome });
    } catch (error) {
      // Notices written before the failure are kept; on the retry they are found and queued again.
      deps.log.error("batch not notified", { error, records: event.Records.length });
      return failedFrom(event.Records, 0);
    }
    return malformed === undefined ? { batchItemFailures: [] } : failedFrom(event.Records, malformed);
  };
}

const db = createDocumentClient("notifier");
const tables = { ledger: tableName("ledger"), state: tableName("state") };
const store = new DynamoNotificationStore(db, tables.state, { channelsTtlMs: Number(process.env.CHANNELS_TTL_MS ?? 30_000) });
const log = createLogger("notifier");
const definitions = new DynamoDefinitionStore(db, tables.state);
const people = new DynamoLedgerStore(db, tables);
const directory = new DynamoDirectory(db, tables, definitions);

/** Everyone in the directory: a Query per org unit, only for a batch that opened a review item or held an award (rare). */
async function everyone(): Promise<Person[]> {
  const units = (await directory.orgTree()).units();
  return (await Promise.all(units.map((unit) => directory.peopleIn(unit.orgUnitId)))).flat();
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(observe(log))
  // Gates as they stand for this batch (definition-store.ts: the counters read once per request).
  .before(() => definitions.newRequest())
  .handler(
    createNotifier({
      outbox: store,
      channels: store,
      queue: new SqsDeliveryQueue(createSqsClient(), deliveryQueueUrl()),
      claims: new DynamoFundStore(db, tables),
      personal: Boolean(process.env.DINGTALK_AGENT_ID),
      settings: { awardAtLeast: Number(process.env.NOTIFY_AWARD_AT_LEAST ?? 50) },
      gates: {
        definitions: () => definitions.list<GateDefinition>("gate"),
        people: (personIds) => people.readPeople(personIds),
        marks: new DynamoGateMarks(db, tables.state),
        clock: { now: () => new Date() },
      },
      directory: everyone,
      log,
    }),
  );
