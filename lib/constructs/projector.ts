/**
 * The leaderboard projector: a Lambda reading the ledger table's stream (NEW_IMAGE) into the
 * leaderboard aggregates of the state table (functions/background/projector.ts).
 *
 * - Only inserted entries of people's chains and event records reach it (event filters);
 *   everything else in the ledger table (idempotency records, markers) never invokes it.
 * - Partial batch responses, bisect on error and a bounded number of retries; a batch that still
 *   fails is described in an encrypted SQS dead-letter queue (alarmed in Operations), from which
 *   an operator replays it: applying an entry twice is a no-op.
 * - It runs the anti-gaming detectors on the same records (domain/integrity; docs/INTEGRITY.md):
 *   DynamoDB Streams serves at most two readers per shard, and the projector and the notifier
 *   are those two.
 * - Its role reads the stream and the state table (directory), may get event records (EVENT#) of
 *   the ledger table, and may write in the state table only items whose partition key starts with
 *   "LB#", "EVLOG#", "INTEG#", "REVIEW#" or "HOLD#" (IAM leading-key condition): no ledger
 *   write, no balances, no directory.
 */
import { join } from "node:path";
import { Duration, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { FilterCriteria, FilterRule, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { keys, stateKeyFamilies } from "../../functions/dynamo/keys.ts";
import { tables } from "../../functions/dynamo/tables.ts";
import { grantEventReads, grantPeopleChainReads, grantReviewLog, grantState } from "../access.ts";
import { type BackgroundFunctionProps, LaurelFunction } from "./laurel-function.ts";

/** Retries of a failing batch before it goes to the dead-letter queue (bisected meanwhile). */
export const projectorRetryAttempts = 5;

export class Projector extends Construct {
  readonly function: LaurelFunction;
  readonly deadLetterQueue: Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: BackgroundFunctionProps) {
    super(scope, id);
    this.function = new LaurelFunction(this, "projector", {
      entry: join(props.repoRoot, "functions", "background", "projector.ts"),
      description: `Laurel ${props.stage}: the leaderboard projector (ledger stream to leaderboard aggregates)`,
      environment: props.environment,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.deadLetterQueue = new Queue(this, "DeadLetters", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself a dead-letter queue: the on-failure destination of the projector's stream event source mapping.",
    });

    const role = this.function.role;
    grantState(role, props.state, tables.state, {
      writes: [...stateKeyFamilies.boards, ...stateKeyFamilies.eventLog, ...stateKeyFamilies.observations, ...stateKeyFamilies.reviews],
    });
    grantEventReads(role, props.ledger);
    grantPeopleChainReads(role, props.ledger);
    grantReviewLog(role, props.ledger);

    this.eventSource = new DynamoEventSource(props.ledger as ITable, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: projectorRetryAttempts,
      // The stream keeps records 24 hours; a record older than that is better replayed from the DLQ.
      maxRecordAge: Duration.hours(12),
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual("INSERT"),
          dynamodb: {
            Keys: { pk: { S: FilterRule.beginsWith(keys.chain("person:")) }, sk: { S: FilterRule.beginsWith(keys.entryPrefix) } },
          },
        }),
        // Event records, for the event log by time (functions/dynamo/stores/event-log-store.ts).
        FilterCriteria.filter({
          eventName: FilterRule.isEqual("INSERT"),
          dynamodb: { Keys: { pk: { S: FilterRule.beginsWith(keys.eventPrefix) } } },
        }),
      ],
    });
    this.function.function.addEventSource(this.eventSource);
  }
}
