/**
 * What someone on call needs: alarms into one encrypted SNS topic that CloudWatch may publish
 * to, and a dashboard of the main metrics. Each alarm names the service level it guards
 * (lib/service-levels.ts, docs/OPERATIONS.md). The API is watched per route group: p99 latency,
 * 4xx and 5xx rates, from the route-level metrics the stage publishes (detailed metrics, see
 * Api). Scheduled jobs have a heartbeat: an alarm when they have not run.
 */
import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
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
import type { RouteSpec } from "../../functions/http/route.ts";
import {
  guards,
  max5xxPercent,
  minRequestsForRates,
  type RouteGroup,
  routeGroupNames,
  routeGroupOf,
  routeGroups,
  routeKey,
  type ServiceLevel,
} from "../service-levels.ts";

export interface OperationsProps {
  stage: string;
  apiStage: HttpStage;
  /** The API's routes, watched per route group (lib/service-levels.ts). */
  routes: readonly RouteSpec[];
  functions: Record<string, IFunction>;
  tables: Record<string, Table>;
  /** Functions fed by a stream, with the dead-letter queue of the batches they gave up on. */
  streamConsumers?: { name: string; function: IFunction; deadLetterQueue: IQueue; level?: ServiceLevel }[];
  /** Dead-letter queues of queues: a message there was given up on. */
  deadLetterQueues?: { name: string; queue: IQueue; level: ServiceLevel }[];
  /** Functions run on a schedule: an alarm when one has not run for two of its intervals. */
  scheduledJobs?: { name: string; function: IFunction; every: Duration; level: ServiceLevel }[];
}

export interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  description: string;
  /** Periods that must breach, out of `evaluationPeriods` (default 1 of 1). */
  datapointsToAlarm?: number;
  evaluationPeriods?: number;
  /** "below" alarms when the metric falls under the threshold (default: at or above it). */
  direction?: "atOrAbove" | "below";
  /** Whether a period without data counts as breaching (default: not). */
  missingData?: TreatMissingData;
}

const period = Duration.minutes(5);

/** CloudWatch's hard limit on the metrics one alarm may read (metric math included). */
export const maxMetricsPerAlarm = 10;

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
    this.topic = this.#alarmTopic(props.stage);

    // HTTP APIs emit 5xx as 0 or 1 per request, so its average is the error rate. The route
    // groups' alarms below need traffic to judge; this one also sees a quiet API failing.
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
      description: `More than 5% of API requests failed with a 5xx in 2 of the last 3 five-minute periods. ${guards("availability")}`,
    });
    const routeGroupLatency = this.#routeGroupAlarms(props.apiStage, props.routes);

    const levelOf = (name: string): ServiceLevel =>
      props.scheduledJobs?.find((job) => job.name === name)?.level ??
      props.streamConsumers?.find((consumer) => consumer.name === name)?.level ??
      (props.streamConsumers?.some((consumer) => consumer.name === name) ? "leaderboard-freshness" : "availability");
    for (const [name, fn] of Object.entries(props.functions)) {
      this.addAlarm(`${name}-errors`, {
        metric: fn.metricErrors({ period }),
        threshold: 1,
        description: `The ${name} function threw (an error that no handler turned into an answer). ${guards(levelOf(name))}`,
      });
      this.addAlarm(`${name}-throttles`, {
        metric: fn.metricThrottles({ period }),
        threshold: 1,
        description: `The ${name} function was throttled: account concurrency is exhausted. ${guards(levelOf(name))}`,
      });
    }

    for (const [name, table] of Object.entries(props.tables)) {
      for (const metricName of ["ReadThrottleEvents", "WriteThrottleEvents"]) {
        this.addAlarm(`${name}-${metricName}`, {
          metric: tableMetric(table, metricName),
          threshold: 1,
          description: `The ${name} table throttled requests (${metricName}). ${guards("availability")}`,
        });
      }
      this.addAlarm(`${name}-SystemErrors`, {
        metric: table.metricSystemErrorsForOperations({ operations: tableOperations, period }),
        threshold: 1,
        description: `DynamoDB answered requests to the ${name} table with a 500. ${guards("availability")}`,
      });
    }

    for (const consumer of props.streamConsumers ?? []) {
      const level = consumer.level ?? "leaderboard-freshness";
      this.addAlarm(`${consumer.name}-IteratorAge`, {
        metric: consumer.function.metric("IteratorAge", { statistic: "Maximum", period }),
        threshold: 5 * 60_000,
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
        description: `The ${consumer.name} is more than 5 minutes behind its stream in 2 of the last 3 five-minute periods: what it feeds is stale. ${guards(level)}`,
      });
      this.addAlarm(`${consumer.name}-DeadLetters`, {
        metric: consumer.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", period }),
        threshold: 1,
        description: `The ${consumer.name} gave up on a batch of stream records (see its dead-letter queue); replay it once the cause is fixed. ${guards(level)}`,
      });
    }
    for (const dead of props.deadLetterQueues ?? []) {
      this.addAlarm(`${dead.name}-DeadLetters`, {
        metric: dead.queue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", period }),
        threshold: 1,
        description: `Messages of the ${dead.name} queue were received too often without being handled (see its dead-letter queue). ${guards(dead.level)}`,
      });
    }

    for (const job of props.scheduledJobs ?? []) {
      // A job that never starts raises no error: only the absence of invocations shows it.
      this.addAlarm(`${job.name}-heartbeat`, {
        metric: job.function.metricInvocations({ statistic: "Sum", period: job.every }),
        threshold: 1,
        direction: "below",
        missingData: TreatMissingData.BREACHING,
        datapointsToAlarm: 2,
        evaluationPeriods: 2,
        description: `The ${job.name} has not run in two of its scheduled intervals in a row (its schedule or its function is broken). ${guards(job.level)}`,
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
      new GraphWidget({ title: "p99 latency by route group, slowest route (ms)", left: routeGroupLatency }),
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

  /** An alarm on `spec.metric` at or above the threshold (or below it), sent to the topic when it fires and clears. */
  addAlarm(id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator:
        spec.direction === "below" ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm ?? 1,
      treatMissingData: spec.missingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * The encrypted topic alarms go to. `enforceSSL` gives it a resource policy holding only a
   * Deny, which replaces SNS's default policy: CloudWatch must be allowed to publish, and only
   * for this account's alarms.
   */
  #alarmTopic(stage: string): Topic {
    const stack = Stack.of(this);
    const fromOwnAlarms = {
      StringEquals: { "aws:SourceAccount": stack.account },
      ArnLike: {
        "aws:SourceArn": stack.formatArn({
          service: "cloudwatch",
          resource: "alarm",
          resourceName: "*",
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const cloudWatch = new ServicePrincipal("cloudwatch.amazonaws.com");
    // A customer managed key, because CloudWatch must be allowed to use it to publish alarms
    // and the policy of the AWS managed aws/sns key cannot be changed.
    const key = new Key(this, "TopicKey", { enableKeyRotation: true, description: `Laurel ${stage} alarm topic` });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: fromOwnAlarms,
      }),
    );
    const topic = new Topic(this, "Alarms", { displayName: `Laurel ${stage} alarms`, masterKey: key, enforceSSL: true });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [cloudWatch],
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    return topic;
  }

  /**
   * p99 latency, 5xx and 4xx rates of each route group, from the route-level metrics. An alarm
   * reads at most 10 metrics, so a group with more routes is watched by several alarms, each
   * naming its routes: latency by the slowest route's p99 (percentiles of different routes
   * cannot be merged), rates by the group's errors over its requests. Returns the latency
   * series, for the dashboard.
   */
  #routeGroupAlarms(apiStage: HttpStage, routes: readonly RouteSpec[]): IMetric[] {
    const routeMetric = (metricName: string, statistic: string) => (spec: RouteSpec) =>
      new Metric({
        namespace: "AWS/ApiGateway",
        metricName,
        dimensionsMap: { ApiId: apiStage.api.apiId, Stage: apiStage.stageName, Route: routeKey(spec) },
        statistic,
        period,
      });
    return routeGroupNames.flatMap((group) => {
      const { title, p99Ms, latencyLevel, max4xxPercent } = routeGroups[group];
      const members = routes.filter((spec) => routeGroupOf(spec) === group);
      const rates: [string, number, ServiceLevel, number][] = [
        ["5xx", max5xxPercent, "availability", 2],
        ["4xx", max4xxPercent, "client-errors", 3],
      ];
      for (const [metricName, percent, level, breaching] of rates) {
        chunks(members, maxMetricsPerAlarm / 2).forEach((part, i, all) => {
          this.addAlarm(alarmId(group, metricName, i, all.length), {
            metric: errorRate(part.map(routeMetric(metricName, "Sum")), part.map(routeMetric("Count", "Sum")), metricName),
            threshold: percent,
            datapointsToAlarm: breaching,
            evaluationPeriods: 3,
            description: `${percent}% or more of the requests to ${title} (${part.map(routeKey).join(", ")}) answered with a ${metricName} in ${breaching} of the last 3 five-minute periods (judged from ${minRequestsForRates} requests a period). ${guards(level)}`,
          });
        });
      }
      return chunks(members, maxMetricsPerAlarm).map((part, i, all) => {
        const id = alarmId(group, "p99", i, all.length);
        const metric = slowest(part.map(routeMetric("Latency", "p99")), id);
        this.addAlarm(id, {
          metric,
          threshold: p99Ms,
          datapointsToAlarm: 3,
          evaluationPeriods: 3,
          description: `p99 latency of ${title} (${part.map(routeKey).join(", ")}) at or above ${p99Ms} ms for 15 minutes. ${guards(latencyLevel)}`,
        });
        return metric.with({ label: id });
      });
    });
  }
}

const alarmId = (group: RouteGroup, what: string, index: number, count: number): string =>
  `api-${group}-${what}${count > 1 ? `-${index + 1}` : ""}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * The highest of the metrics at each period (the metric itself when there is one). Its ids
 * derive from the label, because the dashboard graphs several of these together.
 */
function slowest(metrics: Metric[], label: string): Metric | MathExpression {
  const [only] = metrics;
  if (metrics.length === 1 && only) return only;
  const ids = metrics.map((_, i) => `${label.replace(/[^A-Za-z0-9]/g, "_")}_${i}`);
  return new MathExpression({
    expression: `MAX([${ids.join(", ")}])`,
    usingMetrics: Object.fromEntries(ids.map((id, i) => [id, metrics[i] as Metric])),
    label,
    period,
  });
}

/**
 * 100 × errors / requests over a group's routes, 0 below the minimum traffic (one failure among
 * three requests at night is not an outage). A route without requests in a period has no data
 * points, hence the FILLs.
 */
function errorRate(errors: Metric[], requests: Metric[], label: string): MathExpression {
  const sum = (prefix: string) => errors.map((_, i) => `FILL(${prefix}${i}, 0)`).join(" + ");
  return new MathExpression({
    expression: `IF((${sum("c")}) >= ${minRequestsForRates}, 100 * (${sum("e")}) / (${sum("c")}), 0)`,
    usingMetrics: Object.fromEntries([...errors.map((m, i) => [`e${i}`, m]), ...requests.map((m, i) => [`c${i}`, m])]),
    label: `${label} rate (%)`,
    period,
  });
}

function tableMetric(table: Table, metricName: string): Metric {
  return new Metric({ namespace: "AWS/DynamoDB", metricName, dimensionsMap: { TableName: table.tableName }, statistic: "Sum", period });
}
