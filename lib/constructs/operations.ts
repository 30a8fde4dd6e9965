/**
 * What someone on call needs: alarms into one encrypted SNS topic, and a dashboard of the main
 * metrics. Constructs added later (the leaderboard projector reading the ledger stream, queues
 * with dead-letter queues) bring their alarms here through `addAlarm`: stream IteratorAge and
 * DLQ ApproximateNumberOfMessagesVisible are the next ones.
 */
import { Duration, Stack } from "aws-cdk-lib";
import type { HttpStage } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Operation, type Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface OperationsProps {
  stage: string;
  apiStage: HttpStage;
  functions: Record<string, IFunction>;
  tables: Record<string, Table>;
  /** Functions fed by a stream, with the dead-letter queue of the batches they gave up on. */
  streamConsumers?: { name: string; function: IFunction; deadLetterQueue: IQueue }[];
}

export interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  description: string;
  /** Periods that must breach, out of `evaluationPeriods` (default 1 of 1). */
  datapointsToAlarm?: number;
  evaluationPeriods?: number;
}

const period = Duration.minutes(5);

// The operations the functions call (an alarm's math expression takes at most 10 metrics).
const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

export class Operations extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    // A customer managed key, because CloudWatch must be allowed to use it to publish alarms
    // and the policy of the AWS managed aws/sns key cannot be changed.
    const key = new Key(this, "TopicKey", { enableKeyRotation: true, description: `Laurel ${props.stage} alarm topic` });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, "Alarms", { displayName: `Laurel ${props.stage} alarms`, masterKey: key, enforceSSL: true });

    // HTTP APIs emit 5xx as 0 or 1 per request, so its average is the error rate.
    const serverErrorRate = new MathExpression({
      expression: "100 * errors",
      usingMetrics: { errors: props.apiStage.metricServerError({ statistic: "Average", period }) },
      label: "5xx rate (%)",
      period,
    });
    this.addAlarm("Api5xxRate", {
      metric: serverErrorRate,
      threshold: 5,
      datapointsToAlarm: 2,
      evaluationPeriods: 3,
      description: "More than 5% of API requests failed with a 5xx in 2 of the last 3 five-minute periods.",
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.addAlarm(`${name}-errors`, {
        metric: fn.metricErrors({ period }),
        threshold: 1,
        description: `The ${name} function threw (an error that no handler turned into an answer).`,
      });
      this.addAlarm(`${name}-throttles`, {
        metric: fn.metricThrottles({ period }),
        threshold: 1,
        description: `The ${name} function was throttled: account concurrency is exhausted.`,
      });
    }

    for (const [name, table] of Object.entries(props.tables)) {
      for (const metricName of ["ReadThrottleEvents", "WriteThrottleEvents"]) {
        this.addAlarm(`${name}-${metricName}`, {
          metric: tableMetric(table, metricName),
          threshold: 1,
          description: `The ${name} table throttled requests (${metricName}).`,
        });
      }
      this.addAlarm(`${name}-SystemErrors`, {
        metric: table.metricSystemErrorsForOperations({ operations: tableOperations, period }),
        threshold: 1,
        description: `DynamoDB answered requests to the ${name} table with a 500.`,
      });
    }

    for (const consumer of props.streamConsumers ?? []) {
      this.addAlarm(`${consumer.name}-IteratorAge`, {
        metric: consumer.function.metric("IteratorAge", { statistic: "Maximum", period }),
        threshold: 5 * 60_000,
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
        description: `The ${consumer.name} is more than 5 minutes behind its stream in 2 of the last 3 five-minute periods: leaderboards are stale.`,
      });
      this.addAlarm(`${consumer.name}-DeadLetters`, {
        metric: consumer.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", period }),
        threshold: 1,
        description: `The ${consumer.name} gave up on a batch of stream records (see its dead-letter queue); replay it once the cause is fixed.`,
      });
    }

    this.dashboard = new Dashboard(this, "Dashboard", { defaultInterval: Duration.hours(12) });
    const fns = Object.entries(props.functions);
    const tables = Object.entries(props.tables);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "API requests and errors",
        left: [
          props.apiStage.metricCount({ statistic: "Sum", period }),
          props.apiStage.metricClientError({ period }),
          props.apiStage.metricServerError({ period }),
        ],
      }),
      new GraphWidget({
        title: "API latency (ms)",
        left: [props.apiStage.metricLatency({ statistic: "p50", period }), props.apiStage.metricLatency({ statistic: "p99", period })],
      }),
      new GraphWidget({
        title: "Function errors and throttles",
        left: fns.flatMap(([name, fn]) => [
          fn.metricErrors({ period, label: `${name} errors` }),
          fn.metricThrottles({ period, label: `${name} throttles` }),
        ]),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Function duration p99 (ms)",
        left: fns.map(([name, fn]) => fn.metricDuration({ statistic: "p99", period, label: name })),
      }),
      new GraphWidget({
        title: "DynamoDB consumed capacity",
        left: tables.flatMap(([name, t]) => [
          t.metricConsumedReadCapacityUnits({ period, label: `${name} RCU` }),
          t.metricConsumedWriteCapacityUnits({ period, label: `${name} WCU` }),
        ]),
      }),
      new GraphWidget({
        title: "DynamoDB throttles",
        left: tables.flatMap(([name, t]) => [
          tableMetric(t, "ReadThrottleEvents").with({ label: `${name} read` }),
          tableMetric(t, "WriteThrottleEvents").with({ label: `${name} write` }),
        ]),
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24 }));
  }

  /** An alarm on `spec.metric` at or above the threshold, sent to the topic when it fires and clears. */
  addAlarm(id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

function tableMetric(table: Table, metricName: string): Metric {
  return new Metric({ namespace: "AWS/DynamoDB", metricName, dimensionsMap: { TableName: table.tableName }, statistic: "Sum", period });
}
