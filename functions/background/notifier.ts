/**
 * Lambda: the notifier, fed by the ledger table's stream (NEW_IMAGE) beside the leaderboard
 * projector. It reads people's new chain entries and claim history steps, turns them into notices
 * (domain/notifications/notices.ts), writes each to the outbox once per cause (a conditional put:
 * a replayed batch writes nothing new) and queues one delivery per channel
 * (functions/background/deliverer.ts sends them). A malformed record and those after it are answered as
 * failed, the records before it handled; a failed write or send fails the whole batch, which
 * Lambda retries (bisecting) and at last describes in the dead-letter queue, from which replaying
 * is safe. Locally scripts/local/stream-poller.ts calls this same handler.
 */
import middy from "@middy/core";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { ClaimStep, FundStore } from "../../domain/fund/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import {
  type ClaimStepNotice,
  type Notice,
  type NoticeSettings,
  noticeOfClaimStep,
  noticesOfEntries,
  type OutboxWriterDeps,
  writeNotices,
} from "../../domain/notifications/index.ts";
import { createDocumentClient } from "../dynamo/client.ts";
import { DynamoFundStore } from "../dynamo/fund-store.ts";
import { DynamoNotificationStore } from "../dynamo/stores/notification-store.ts";
import { tableName } from "../dynamo/tables.ts";
import { createLogger, type Logger, observe } from "../http/log.ts";
import { claimStepOf, personEntryOf } from "../notify/ledger-records.ts";
import { createSqsClient, deliveryQueueUrl, SqsDeliveryQueue } from "../notify/sqs-queue.ts";

export interface NotifierDeps extends OutboxWriterDeps {
  claims: Pick<FundStore, "readClaim">;
  settings: NoticeSettings;
  log: Logger;
}

const failedFrom = (records: DynamoDBRecord[], index: number): DynamoDBBatchResponse => ({
  batchItemFailures: records.slice(index).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? "" })),
});

/** The records read up to the first malformed one (its index), which is retried with those after it. */
function readRecords(records: DynamoDBRecord[], log: Logger) {
  const entries: LedgerEntry[] = [];
  const steps: ClaimStep[] = [];
  for (const [index, record] of records.entries()) {
    try {
      const entry = personEntryOf(record);
      const step = entry ? undefined : claimStepOf(record);
      if (entry) entries.push(entry);
      if (step) steps.push(step);
    } catch (error) {
      log.error("record not notified", { error, sequenceNumber: record.dynamodb?.SequenceNumber, retriedFromHere: records.length - index });
      return { entries, steps, malformed: index };
    }
  }
  return { entries, steps, malformed: undefined };
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

export function createNotifier(deps: NotifierDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { entries, steps, malformed } = readRecords(event.Records, deps.log);
    try {
      const notices = [...noticesOfEntries(entries, deps.settings), ...(await claimNotices(deps.claims, steps))];
      const outcome = await writeNotices(deps, notices);
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

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(observe(log))
  .handler(
    createNotifier({
      outbox: store,
      channels: store,
      queue: new SqsDeliveryQueue(createSqsClient(), deliveryQueueUrl()),
      claims: new DynamoFundStore(db, tables),
      personal: Boolean(process.env.DINGTALK_AGENT_ID),
      settings: { awardAtLeast: Number(process.env.NOTIFY_AWARD_AT_LEAST ?? 50) },
      log,
    }),
  );
