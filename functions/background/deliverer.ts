/**
 * Lambda: the deliverer, fed by the delivery queue (SQS) that the notifier fills. Each message is
 * one delivery of one notice to one channel (domain/notifications/delivery.ts). A delivery sent,
 * skipped (opted out, channel removed) or turned into a dead letter is done; one that failed or
 * must wait (backoff, quiet hours, a robot's full minute) is made invisible for that long
 * (ChangeMessageVisibility) and reported as a batch item failure, so SQS hands it over again
 * then, one receive more. Locally scripts/local/sqs.ts plays the queue and calls this handler.
 */
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import { type Attempt, cloudEventOf, type Delivery, type DeliveryDeps, deliver } from "../../domain/notifications/index.ts";
import { createDocumentClient } from "../dynamo/client.ts";
import { DynamoDefinitionStore } from "../dynamo/definition-store.ts";
import { DynamoDirectory } from "../dynamo/directory-store.ts";
import { DynamoNotificationStore } from "../dynamo/stores/notification-store.ts";
import { tableName } from "../dynamo/tables.ts";
import { createLogger, type Logger, observe } from "../http/log.ts";
import { createSenders, type DingTalkApp } from "../notify/senders.ts";
import { createSqsClient, deliveryQueueUrl, SqsDeliveryQueue } from "../notify/sqs-queue.ts";
import { SecretBox } from "../secrets/secret-box.ts";

export interface DelivererDeps extends DeliveryDeps {
  queue: Pick<SqsDeliveryQueue, "retryAfter" | "send">;
  log: Logger;
}

/**
 * SQS counts every receive, and its redrive policy moves a message received too often aside: a
 * wait of up to SQS's longest delay (a robot's full minute) is a new message, delayed, so that
 * waiting is not counted as failing; longer waits (quiet hours, backoff) keep the message out of
 * sight instead, one receive each.
 */
const maxDelaySeconds = 15 * 60;

const attemptOf = (record: SQSRecord): Attempt => ({
  delivery: JSON.parse(record.body) as Delivery,
  attempt: Number(record.attributes.ApproximateReceiveCount ?? 1),
});

export function createDeliverer(deps: DelivererDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const tries = new Map(event.Records.map((record) => [attemptOf(record), record] as const));
    const outcomes = await deliver(deps, [...tries.keys()], (delivery) => JSON.stringify(cloudEventOf(delivery.notice)));
    const failures: SQSBatchResponse["batchItemFailures"] = [];
    for (const [try_, outcome] of outcomes) {
      const record = tries.get(try_) as SQSRecord;
      const ids = { deliveryId: try_.delivery.deliveryId, channelId: try_.delivery.channelId, attempt: try_.attempt };
      if (outcome.status === "held" && outcome.seconds <= maxDelaySeconds) {
        const { delivery } = try_;
        await deps.queue.send([{ ...delivery, since: delivery.since ?? delivery.notice.at }], outcome.seconds);
      } else if (outcome.status === "retry" || outcome.status === "held") {
        await deps.queue.retryAfter(record.receiptHandle, outcome.seconds);
        failures.push({ itemIdentifier: record.messageId });
      }
      if (outcome.status === "retry" || outcome.status === "dead-letter")
        deps.log.error("delivery failed", { ...ids, outcome: outcome.status, error: outcome.error });
      else deps.log.info("delivery", { ...ids, outcome: outcome.status });
    }
    return { batchItemFailures: failures };
  };
}

/** The DingTalk app that sends work notifications: from Secrets Manager in AWS, from DINGTALK_APP locally. */
function dingTalkApp(env = process.env): () => Promise<DingTalkApp | undefined> {
  let loaded: Promise<DingTalkApp | undefined> | undefined;
  const read = async (): Promise<DingTalkApp | undefined> => {
    if (!env.DINGTALK_AGENT_ID) return undefined;
    let credentials = env.DINGTALK_APP;
    if (env.DINGTALK_APP_SECRET_ARN) {
      const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
      credentials = (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: env.DINGTALK_APP_SECRET_ARN })))
        .SecretString;
    }
    const { appKey, appSecret } = JSON.parse(credentials ?? "{}") as { appKey?: string; appSecret?: string };
    if (!appKey || !appSecret) throw new Error("the DingTalk app's credentials lack appKey or appSecret");
    return { api: env.DINGTALK_API ?? "https://oapi.dingtalk.com", agentId: env.DINGTALK_AGENT_ID, appKey, appSecret };
  };
  return () => {
    loaded ??= read().catch((error) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

const log = createLogger("deliverer");

/** The deliverer wired to the tables, the queue and the services the environment names, on a clock (tests pass one that skips backoff). */
export function delivererOnClock(clock: Clock) {
  const db = createDocumentClient("deliverer");
  const state = tableName("state");
  const store = new DynamoNotificationStore(db, state);
  // Only people are read here (their DingTalk id and language), never the org tree its counter keeps current.
  const directory = new DynamoDirectory(db, { state, ledger: tableName("ledger") }, new DynamoDefinitionStore(db, state));
  const sealer = SecretBox.fromEnv();
  return createDeliverer({
    channels: store,
    preferences: store,
    deadLetters: store,
    rate: store,
    directory,
    dingTalkId: async (personId) => (await directory.person(personId as PersonId))?.identities?.dingtalk,
    open: (sealed) => sealer.open(sealed),
    senders: createSenders(clock, dingTalkApp()),
    queue: new SqsDeliveryQueue(createSqsClient(), deliveryQueueUrl()),
    clock,
    timeZone: process.env.TIME_ZONE ?? "Asia/Shanghai",
    log,
  });
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(observe(log))
  .handler(delivererOnClock({ now: () => new Date() }));
