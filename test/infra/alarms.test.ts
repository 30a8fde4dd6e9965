/**
 * Alarms that reach someone, checked on the synthesised prod template: CloudWatch may publish to
 * the alarm topic (and only for this account's alarms), every route group is watched for p99
 * latency and 4xx/5xx rates, the hourly verifier has a heartbeat, and every alarm names the
 * service level it guards, which docs/OPERATIONS.md states.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, type Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import type { RouteSpec } from "../../functions/http/route.ts";
import { routes } from "../../functions/http/routes.ts";
import { maxMetricsPerAlarm } from "../../lib/constructs/operations.ts";
import { LaurelStack } from "../../lib/laurel-stack.ts";
import { guards, routeGroupNames, routeGroupOf, routeGroups, routeKey, serviceLevels } from "../../lib/service-levels.ts";
import { stageConfig } from "../../lib/stage.ts";

type Resource = { Type: string; Properties: Record<string, any> };
type Dimension = { Name: string; Value: unknown };
type Statement = { Sid?: string; Effect: string; Principal: unknown; Action: string | string[]; Resource: unknown; Condition?: unknown };

let stack: LaurelStack;
let resources: Record<string, Resource>;

const ref = (construct: { node: { defaultChild?: unknown } }) => ({
  Ref: stack.resolve(stack.getLogicalId(construct.node.defaultChild as Parameters<Stack["getLogicalId"]>[0])),
});

beforeAll(() => {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  stack = new LaurelStack(app, "Laurel-prod", { config: stageConfig("prod") });
  resources = Template.fromStack(stack).toJSON().Resources;
  // Synthesis of 17 functions' stack: over a minute on a loaded machine.
}, 240_000);

const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
const alarms = () => ofType("AWS::CloudWatch::Alarm").map((alarm) => alarm.Properties);

/** The metrics an alarm reads: its own, or each MetricStat of its math expression. */
function metricsOf(alarm: Record<string, any>): { MetricName: string; Dimensions: Dimension[]; Stat: string }[] {
  if (alarm.MetricName) {
    return [{ MetricName: alarm.MetricName, Dimensions: alarm.Dimensions, Stat: alarm.ExtendedStatistic ?? alarm.Statistic }];
  }
  return (alarm.Metrics as any[])
    .filter((query) => query.MetricStat)
    .map((query) => ({ ...query.MetricStat.Metric, Stat: query.MetricStat.Stat }));
}

const routeOf = (metric: { Dimensions: Dimension[] }) => metric.Dimensions.find((d) => d.Name === "Route")?.Value;

/** The alarms watching a route's metric, with the statistic they read it with. */
const watching = (spec: RouteSpec, metricName: string) =>
  alarms().filter((alarm) => metricsOf(alarm).some((m) => m.MetricName === metricName && routeOf(m) === routeKey(spec)));

describe("the alarm topic", () => {
  const policy = () => {
    const [topicPolicy, ...others] = ofType("AWS::SNS::TopicPolicy");
    expect(others).toEqual([]);
    expect(topicPolicy?.Properties.Topics).toEqual([ref(stack.operations.topic)]);
    return topicPolicy?.Properties.PolicyDocument.Statement as Statement[];
  };
  const ownAlarms = {
    StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
    ArnLike: {
      "aws:SourceArn": {
        "Fn::Join": [
          "",
          ["arn:", { Ref: "AWS::Partition" }, ":cloudwatch:", { Ref: "AWS::Region" }, ":", { Ref: "AWS::AccountId" }, ":alarm:*"],
        ],
      },
    },
  };

  it("lets CloudWatch publish, for this account's alarms only, and nobody else", () => {
    const allows = policy().filter((statement) => statement.Effect === "Allow");
    expect(allows).toEqual([
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: ref(stack.operations.topic),
        Condition: ownAlarms,
      },
    ]);
  });

  it("still refuses publishing over plain HTTP", () => {
    expect(policy()).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Action: "sns:Publish", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
  });

  it("is encrypted with a key CloudWatch may use under the same conditions", () => {
    const [key] = ofType("AWS::KMS::Key").filter((k) => JSON.stringify(k.Properties.KeyPolicy).includes("cloudwatch.amazonaws.com"));
    expect(key?.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Condition: ownAlarms,
      }),
    );
  });
});

describe("the API's route groups", () => {
  const specs = Object.values(routes) as RouteSpec[];

  it("publish route-level metrics on every route, including those with settings of their own", () => {
    const [stage] = ofType("AWS::ApiGatewayV2::Stage");
    expect(stage?.Properties.DefaultRouteSettings.DetailedMetricsEnabled).toBe(true);
    const own = Object.values(stage?.Properties.RouteSettings ?? {}) as Record<string, unknown>[];
    expect(own.length).toBeGreaterThan(0);
    for (const settings of own) expect(settings.DetailedMetricsEnabled).toBe(true);
  });

  it("put the webhook and balance reads in groups of their own and every /admin/ route in admin", () => {
    expect(routeGroupOf(routes.webhook)).toBe("webhooks");
    expect(routeGroupOf(routes.balances)).toBe("balances");
    expect(specs.filter((spec) => routeGroupOf(spec) === "webhooks")).toEqual([routes.webhook]);
    expect(specs.filter((spec) => routeGroupOf(spec) === "balances")).toEqual([routes.balances]);
    for (const spec of specs.filter((s) => s.path.startsWith("/admin/"))) expect(routeGroupOf(spec), routeKey(spec)).toBe("admin");
  });

  it("watch every route's p99 latency, 5xx and 4xx rates, each in exactly one alarm", () => {
    for (const spec of specs) {
      expect(
        watching(spec, "Latency")
          .flatMap(metricsOf)
          .filter((m) => routeOf(m) === routeKey(spec)),
        routeKey(spec),
      ).toEqual([expect.objectContaining({ Stat: "p99" })]);
      for (const errors of ["5xx", "4xx"]) {
        const [alarm, ...more] = watching(spec, errors);
        expect(more, `${routeKey(spec)} ${errors}`).toEqual([]);
        // The rate's denominator is the same route's requests.
        expect(alarm && metricsOf(alarm).some((m) => m.MetricName === "Count" && routeOf(m) === routeKey(spec))).toBe(true);
      }
    }
  });

  it("hold the latency alarms of the webhook and balance reads to their service levels", () => {
    const [webhook] = watching(routes.webhook, "Latency");
    const [balances] = watching(routes.balances, "Latency");
    expect(webhook).toMatchObject({ Threshold: 1_000, ExtendedStatistic: "p99", ComparisonOperator: "GreaterThanOrEqualToThreshold" });
    expect(balances).toMatchObject({ Threshold: 500, ExtendedStatistic: "p99" });
    expect(webhook?.AlarmDescription).toContain(guards("webhook-latency"));
    expect(balances?.AlarmDescription).toContain(guards("balance-latency"));
  });

  it("judge error rates only with traffic, and page on a 1% 5xx rate as an availability risk", () => {
    const [alarm] = watching(routes.award, "5xx");
    const expression = alarm?.Metrics.find((query: { ReturnData: boolean }) => query.ReturnData).Expression as string;
    expect(expression).toMatch(/^IF\(\(.*\) >= 20, 100 \* \(.*\) \/ \(.*\), 0\)$/);
    expect(alarm).toMatchObject({ Threshold: 1, DatapointsToAlarm: 2, EvaluationPeriods: 3 });
    expect(alarm?.AlarmDescription).toContain(guards("availability"));
  });

  it(`read at most ${maxMetricsPerAlarm} metrics per alarm, CloudWatch's hard limit`, () => {
    const counts = alarms().map((alarm) => metricsOf(alarm).length);
    expect(Math.max(...counts)).toBeLessThanOrEqual(maxMetricsPerAlarm);
  });

  it("cover every group with routes", () => {
    for (const group of routeGroupNames) {
      const members = specs.filter((spec) => routeGroupOf(spec) === group);
      expect(members.length, group).toBeGreaterThan(0);
      expect(alarms().filter((a) => a.AlarmDescription.includes(routeGroups[group].title)).length, group).toBeGreaterThanOrEqual(3);
    }
  });
});

describe("the hourly verifier's heartbeat", () => {
  it("alarms when the verifier has not been invoked for two hours, counting silence as not having run", () => {
    const fn = ref(stack.verifier.function.function);
    const heartbeat = alarms().filter(
      (alarm) =>
        alarm.MetricName === "Invocations" && JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: "FunctionName", Value: fn }]),
    );
    expect(heartbeat).toEqual([
      expect.objectContaining({
        Namespace: "AWS/Lambda",
        Statistic: "Sum",
        Period: 3600,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: "LessThanThreshold",
        Threshold: 1,
        TreatMissingData: "breaching",
        AlarmDescription: expect.stringContaining(guards("ledger-verified")),
      }),
    ]);
    expect(ofType("AWS::Events::Rule").map((rule) => rule.Properties.ScheduleExpression)).toEqual(["rate(1 hour)", "rate(1 hour)"]);
  });
});

describe("service levels", () => {
  const operations = readFileSync(join(import.meta.dirname, "..", "..", "docs", "OPERATIONS.md"), "utf8");

  it("every alarm names the service level it guards", () => {
    const levels = Object.values(serviceLevels);
    for (const alarm of alarms()) {
      const named = levels.filter((level) => (alarm.AlarmDescription as string).endsWith(`Guards: ${level} (docs/OPERATIONS.md).`));
      expect(named, alarm.AlarmDescription).toHaveLength(1);
    }
  });

  it("the projector's dead-letter queue has one alarm, guarding leaderboard freshness", () => {
    const queue = { "Fn::GetAtt": [ref(stack.projector.deadLetterQueue).Ref, "QueueName"] };
    const dlq = alarms().filter((alarm) => JSON.stringify(alarm.Dimensions ?? []).includes(JSON.stringify(queue)));
    expect(dlq).toEqual([expect.objectContaining({ MetricName: "ApproximateNumberOfMessagesVisible", Threshold: 1 })]);
    expect(dlq[0]?.AlarmDescription).toContain(guards("leaderboard-freshness"));
  });

  it("docs/OPERATIONS.md prices the alarms the template holds", () => {
    const metrics = alarms().reduce((sum, alarm) => sum + metricsOf(alarm).length, 0);
    // $0.10 per alarm metric a month, the price docs/PERFORMANCE.md assumes.
    const text = operations.replace(/\s+/g, " ");
    expect(text).toContain(`${alarms().length} alarms reading ${metrics} metrics, $${(metrics / 10).toFixed(2)} a month`);
  });

  it("docs/OPERATIONS.md states each level under 'Service levels and alarms'", () => {
    const section = operations.split(/^## /m).find((s) => s.startsWith("Service levels and alarms"));
    expect(section).toBeDefined();
    for (const level of Object.values(serviceLevels)) expect(section, level).toContain(level);
  });
});
