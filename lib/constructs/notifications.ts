/**
 * Notifications: the notifier on the ledger table's stream (functions/background/notifier.ts) writes each
 * notice once into the outbox and queues one delivery per channel; the deliverer
 * (functions/background/deliverer.ts) sends them from the delivery queue.
 *
 * Retries for at least 24 hours although SQS delays a message by at most 15 minutes: a failed
 * delivery is not sent again but made invisible (ChangeMessageVisibility, up to 12 hours a time)
 * for its backoff, 30 s doubling to at most 6 h, and reported as a batch item failure, so the
 * same message (same `webhook-id`) comes back then. The queue keeps messages 4 days; after a day
 * of retries the deliverer moves a delivery to the dead letters admins replay
 * (`/admin/notification-dead-letters`). The queue's own redrive (50 receives) only catches a
 * deliverer that keeps crashing on a message; both it and the stream's dead-letter queue are
 * alarmed (Operations).
 *
 * IAM: the notifier reads the stream and the state table and writes only `NOTE#` items (the
 * outbox) and queue messages; the deliverer reads the state table, writes only `NOTIFY#` items
 * (dead letters, robots' minute counts), consumes the queue and opens sealed channel secrets.
 */
import { join } from "node:path";
import { Duration, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { FilterCriteria, FilterRule, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { keys, stateKeyFamilies } from "../../functions/dynamo/keys.ts";
import { tables } from "../../functions/dynamo/tables.ts";
import { grantState } from "../access.ts";
import { type BackgroundFunctionProps, LaurelFunction } from "./laurel-function.ts";

export interface NotificationsProps extends BackgroundFunctionProps {
  /** The key that seals secrets: channels' URLs and signing secrets are sealed with it. */
  sealingKey: Secret;
  /** The DingTalk app that sends work notifications. */
  dingTalkApp: Secret;
}

/** Receives of one delivery message after which SQS moves it aside: far beyond a day of backoff (14 tries). */
export const deliveryMaxReceives = 50;
export const notifierRetryAttempts = 5;

const deadLetterQueue = (scope: Construct, id: string, of: string) => {
  const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  Validations.of(queue).acknowledge({ id: "AwsSolutions-SQS3", reason: `This queue is itself a dead-letter queue: ${of}.` });
  return queue;
};

export class Notifications extends Construct {
  readonly notifier: LaurelFunction;
  readonly deliverer: LaurelFunction;
  readonly queue: Queue;
  readonly queueDeadLetters: Queue;
  readonly streamDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const delivererTimeout = Duration.seconds(30);
    this.streamDeadLetters = deadLetterQueue(
      this,
      "StreamDeadLetters",
      "the on-failure destination of the notifier's stream event source mapping",
    );
    this.queueDeadLetters = deadLetterQueue(this, "DeliveryDeadLetters", "the redrive target of the delivery queue");
    this.queue = new Queue(this, "Deliveries", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than a day of backoff and a weekend's quiet hours.
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(delivererTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.queueDeadLetters, maxReceiveCount: deliveryMaxReceives },
    });
    const agentId = this.node.tryGetContext("dingTalkAgentId") as string | undefined;
    const environment = {
      ...props.environment,
      DELIVERY_QUEUE_URL: this.queue.queueUrl,
      ...(agentId ? { DINGTALK_AGENT_ID: String(agentId) } : {}),
    };
    this.notifier = new LaurelFunction(this, "notifier", {
      entry: join(props.repoRoot, "functions", "background", "notifier.ts"),
      description: `Laurel ${props.stage}: the notifier (ledger stream to the outbox and the delivery queue)`,
      environment,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    grantState(this.notifier.role, props.state, tables.state, { writes: stateKeyFamilies.notices });
    this.queue.grantSendMessages(this.notifier.role);
    this.notifier.function.addEventSource(
      new DynamoEventSource(props.ledger as ITable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: notifierRetryAttempts,
        maxRecordAge: Duration.hours(12),
        onFailure: new SqsDlq(this.streamDeadLetters),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual("INSERT"),
            dynamodb: {
              Keys: { pk: { S: FilterRule.beginsWith(keys.chain("person:")) }, sk: { S: FilterRule.beginsWith(keys.entryPrefix) } },
            },
          }),
          FilterCriteria.filter({
            eventName: FilterRule.isEqual("INSERT"),
            dynamodb: { Keys: { pk: { S: FilterRule.beginsWith(keys.claimLog("")) } } },
          }),
          // For approvers: review items opened, awards a budget held.
          ...[keys.reviewLogPrefix, keys.budgetHeldPrefix].map((prefix) =>
            FilterCriteria.filter({
              eventName: FilterRule.isEqual("INSERT"),
              dynamodb: { Keys: { pk: { S: FilterRule.beginsWith(prefix) } } },
            }),
          ),
        ],
      }),
    );

    this.deliverer = new LaurelFunction(this, "deliverer", {
      entry: join(props.repoRoot, "functions", "background", "deliverer.ts"),
      description: `Laurel ${props.stage}: the deliverer (DingTalk, WeCom and webhook deliveries, retried with backoff)`,
      environment: { ...environment, SECRET_KEY_ARN: props.sealingKey.secretArn, DINGTALK_APP_SECRET_ARN: props.dingTalkApp.secretArn },
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      timeout: delivererTimeout,
    });
    grantState(this.deliverer.role, props.state, tables.state, { writes: stateKeyFamilies.notificationChannels });
    props.sealingKey.grantRead(this.deliverer.role);
    props.dingTalkApp.grantRead(this.deliverer.role);
    this.deliverer.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        // Deliveries to one robot gathered in one batch become one digest message.
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
  }
}
