/**
 * The CDK stack, checked on its synthesised template. The prod stack is built once (bundling
 * the functions takes a few seconds) and every test reads the same template.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { roles } from "../../domain/kernel/model.ts";
import type { RouteSpec } from "../../functions/http/route.ts";
import { type Area, areas } from "../../functions/http/route.ts";
import { routes } from "../../functions/http/routes.ts";
import { areaAccess } from "../../lib/access.ts";
import { LaurelStack } from "../../lib/laurel-stack.ts";
import { stageConfig } from "../../lib/stage.ts";
import { functionNames } from "../../scripts/local/lambda.ts";
import { writeBuiltPage } from "./built-page.ts";

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let stack: LaurelStack;
let template: Template;
let resources: Record<string, Resource>;

const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as Parameters<Stack["getLogicalId"]>[0]));

// Synthesis bundles every function with esbuild and runs cdk-nag: minutes on a loaded machine.
beforeAll(() => {
  stack = new LaurelStack(new App(), "Laurel-test", { config: stageConfig("prod") });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 240_000);

/** Every IAM statement in the template, with the logical id of the role it is attached to. */
function statements(): { roles: string[]; statement: Statement }[] {
  return Object.entries(resources).flatMap(([, resource]) => {
    if (resource.Type !== "AWS::IAM::Policy") return [];
    const attachedTo = (resource.Properties.Roles ?? []).map((role: { Ref: string }) => role.Ref);
    return resource.Properties.PolicyDocument.Statement.map((statement: Statement) => ({ roles: attachedTo, statement }));
  });
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Whether an IAM action pattern (with * and ?) allows the action. */
const allows = (pattern: string, action: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(action);

/** Whether a statement's resources include the table (by reference, or by a wildcard resource). */
const targets = (statement: Statement, tableLogicalId: string): boolean =>
  list(statement.Resource).some((resource) => resource === "*" || JSON.stringify(resource).includes(`"${tableLogicalId}"`));

describe("the ledger table", () => {
  it("keeps point-in-time recovery, deletion protection and a Retain policy", () => {
    const ledger = resources[logicalId(stack.tables.tables.ledger)];
    expect(ledger?.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamViewType: "NEW_IMAGE" },
      SSESpecification: { SSEEnabled: true },
    });
    expect(ledger?.DeletionPolicy).toBe("Retain");
    expect(ledger?.UpdateReplacePolicy).toBe("Retain");
  });

  it("is retained even in dev, where the state table may go with the stack", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const dev = new LaurelStack(app, "Laurel-dev-test", { config: stageConfig("dev") });
    const devResources = Template.fromStack(dev).toJSON().Resources as Record<string, Resource>;
    const id = (table: { node: { defaultChild?: unknown } }) =>
      dev.resolve(dev.getLogicalId(table.node.defaultChild as Parameters<Stack["getLogicalId"]>[0]));
    expect(devResources[id(dev.tables.tables.ledger)]?.DeletionPolicy).toBe("Retain");
    expect(devResources[id(dev.tables.tables.state)]?.DeletionPolicy).toBe("Delete");
  });

  it("may not be updated or deleted by any role: no UpdateItem, DeleteItem or dynamodb:* on it", () => {
    const ledgerId = logicalId(stack.tables.tables.ledger);
    const onLedger = statements().filter(({ statement }) => statement.Effect === "Allow" && targets(statement, ledgerId));
    const forbidden = onLedger.flatMap(({ statement }) =>
      list(statement.Action).filter((action) => allows(action, "dynamodb:UpdateItem") || allows(action, "dynamodb:DeleteItem")),
    );
    expect(onLedger.length).toBeGreaterThan(0);
    expect(forbidden).toEqual([]);
  });
});

describe("the functions", () => {
  it("run Node.js 24 on arm64, one per deployed function", () => {
    const functions = Object.values(resources).filter((resource) => resource.Type === "AWS::Lambda::Function");
    // One per area, and the background functions (projector, verifier, bounty sweeper, notifier, deliverer).
    expect(functions).toHaveLength(functionNames.length);
    for (const fn of functions) expect(fn.Properties).toMatchObject({ Runtime: "nodejs24.x", Architectures: ["arm64"] });
  });

  it("trace actively and log JSON to a log group kept for a year in prod", () => {
    template.allResourcesProperties("AWS::Lambda::Function", {
      TracingConfig: { Mode: "Active" },
      LoggingConfig: Match.objectLike({ LogFormat: "JSON" }),
    });
    const nodeOptions = Object.values(template.findResources("AWS::Lambda::Function")).map(
      (fn) => fn.Properties.Environment.Variables.NODE_OPTIONS as string,
    );
    for (const options of nodeOptions) expect(options.split(" ")[0]).toBe("--enable-source-maps");
    template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 365 });
    // Every function that verifies tokens reads the person from Cognito's `username` claim.
    const verifying = Object.values(template.findResources("AWS::Lambda::Function")).filter(
      (fn) => fn.Properties.Environment.Variables.JWT_ISSUER,
    );
    expect(verifying.length).toBeGreaterThan(10);
    for (const fn of verifying) expect(fn.Properties.Environment.Variables.PERSON_ID_CLAIM).toBe("username");
  });

  /** Each write statement of a role: its actions and the partition keys it is limited to. */
  const writesOf = (role: string) =>
    statements()
      .filter(({ roles: attached, statement }) => attached.includes(role) && statement.Effect === "Allow")
      .flatMap(({ statement }) => {
        const actions = list(statement.Action).filter(
          (action) => action.startsWith("dynamodb:") && !["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"].includes(action),
        );
        const condition = statement.Condition as { "ForAllValues:StringLike"?: { "dynamodb:LeadingKeys": string[] } } | undefined;
        return actions.length
          ? [{ actions, table: statement.Resource, leadingKeys: condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"] }]
          : [];
      });

  it("let the eligibility function write nothing but audit records in the ledger and gate definitions (and proposed changes) in the state table", () => {
    const writes = writesOf(logicalId(stack.functions.eligibility.role));
    expect(writes.map(({ actions, leadingKeys }) => ({ actions, leadingKeys }))).toEqual([
      {
        actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
        leadingKeys: ["DEF#gate", "DEFV#gate#*", "DEFINITIONS#*", "DEF#proposed-gate", "DEFV#proposed-gate#*"],
      },
      { actions: ["dynamodb:PutItem"], leadingKeys: ["AUDIT#*"] },
    ]);
  });

  it("limit every write to the key families its area owns: only the areas that move balances may write a chain head", () => {
    for (const area of areas) {
      const writes = writesOf(logicalId(stack.functions[area].role));
      expect(
        writes.filter((w) => w.leadingKeys === undefined && JSON.stringify(w.table).includes(logicalId(stack.tables.tables.state))),
        area,
      ).toEqual([]);
    }
    const headWriters = areas.filter((area) =>
      writesOf(logicalId(stack.functions[area].role)).some((w) => w.leadingKeys?.includes("CHAIN#*")),
    );
    expect(headWriters.sort()).toEqual(["bounties", "fund", "imports", "ledger", "webhooks"]);
  });

  it("let every area with a token write route append audit records, since admins' writes are audited", () => {
    const writers = new Set(
      (Object.values(routes) as RouteSpec[]).filter((r) => r.auth === "token" && r.method !== "GET").map((r) => r.area),
    );
    for (const area of writers) expect(areaAccess[area].audit, `${area} may not write audit records`).toBe(true);
  });

  it("give the public area's role no DynamoDB access at all", () => {
    const publicRole = logicalId(stack.functions.public.role);
    const dynamoActions = statements()
      .filter(({ roles: attached }) => attached.includes(publicRole))
      .flatMap(({ statement }) => list(statement.Action))
      .filter((action) => action.toLowerCase().startsWith("dynamodb:") || action === "*");
    expect(dynamoActions).toEqual([]);
  });
});

describe("the badge signing key", () => {
  it("is a generated secret that only the ledger function, which signs credentials, may read", () => {
    const [secretId] = Object.entries(resources).find(
      ([, r]) => r.Type === "AWS::SecretsManager::Secret" && String(r.Properties.Description).includes("signs badge credentials"),
    ) ?? [""];
    expect(resources[secretId]?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    const readers = statements()
      .filter(({ statement }) => list(statement.Action).includes("secretsmanager:GetSecretValue"))
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes(`"${secretId}"`))
      .flatMap(({ roles: attached }) => attached);
    expect(readers).toEqual([logicalId(stack.functions.ledger.role)]);
    const withKey = areas.filter(
      (area) => resources[logicalId(stack.functions[area].function)]?.Properties.Environment.Variables.BADGE_KEY_ARN,
    );
    expect(withKey).toEqual(["ledger"]);
  });
});

describe("the DingTalk app's secret", () => {
  const functionOf = (role: string) =>
    Object.values(resources).find((r) => r.Type === "AWS::Lambda::Function" && JSON.stringify(r.Properties.Role).includes(`"${role}"`));

  it("is one secret, read by sign-in, the org sync's callback (admin) and the deliverer, and by no other role", () => {
    const secrets = Object.entries(resources).filter(
      ([, r]) => r.Type === "AWS::SecretsManager::Secret" && String(r.Properties.Description).includes("DingTalk"),
    );
    expect(secrets).toHaveLength(1);
    const [secretId] = secrets[0] as [string, Resource];
    const readers = statements()
      .filter(({ statement }) => list(statement.Action).includes("secretsmanager:GetSecretValue"))
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes(`"${secretId}"`))
      .flatMap(({ roles: attached }) => attached);
    const expected = [stack.functions.admin.role, stack.functions["sign-in"].role, stack.notifications.deliverer.role].map(logicalId);
    expect(readers.sort()).toEqual(expected.sort());
    for (const role of expected) {
      expect(JSON.stringify(functionOf(role)?.Properties.Environment.Variables.DINGTALK_APP_SECRET_ARN)).toContain(secretId);
    }
  });

  it("comes with the root unit of the org sync where the stage names one (-c dingTalkRootUnit)", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [], dingTalkRootUnit: "tianma" } });
    const dev = new LaurelStack(app, "Laurel-dev-dingtalk", { config: stageConfig("dev") });
    const variables = (area: Area) =>
      dev.resolve((dev.functions[area].function.node.defaultChild as CfnFunction).environment) as { variables: Record<string, unknown> };
    expect(variables("admin").variables.DINGTALK_ROOT_UNIT).toBe("tianma");
    expect(variables("fund").variables.DINGTALK_ROOT_UNIT).toBeUndefined();
    expect(resources[logicalId(stack.functions.admin.function)]?.Properties.Environment.Variables.DINGTALK_ROOT_UNIT).toBeUndefined();
  });
});

describe("the verifier", () => {
  it("runs every hour, and only it may scan the ledger", () => {
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
    const verifierRole = logicalId(stack.verifier.function.role);
    const scanners = statements().filter(({ statement }) => list(statement.Action).includes("dynamodb:Scan"));
    expect(scanners.flatMap(({ roles }) => roles)).toEqual([verifierRole]);
  });

  it("runs with the heap its benchmark measures, not one Lambda sizes from the function's memory", () => {
    const variables = resources[logicalId(stack.verifier.function.function)]?.Properties.Environment.Variables;
    expect(variables.NODE_OPTIONS).toBe("--enable-source-maps --max-semi-space-size=8 --max-old-space-size=128");
  });
});

describe("the HTTP API", () => {
  const authorizationOf = (routeKey: string): string | undefined =>
    Object.values(resources).find((resource) => resource.Type === "AWS::ApiGatewayV2::Route" && resource.Properties.RouteKey === routeKey)
      ?.Properties.AuthorizationType;

  it("has one route per route spec, and $default for the rest (405 for a known path, else 404), open to all", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Route", Object.keys(routes).length + 1);
    expect(authorizationOf("$default") ?? "NONE").toBe("NONE");
  });

  it("lets API Gateway invoke each area's function by one permission for this API, not one per route", () => {
    const invokes = Object.values(resources).filter(
      (resource) => resource.Type === "AWS::Lambda::Permission" && resource.Properties.Principal === "apigateway.amazonaws.com",
    );
    expect(invokes).toHaveLength(new Set(Object.values(routes).map((spec) => spec.area)).size);
    // The stack stays clear of CloudFormation's 500 resources with room for growth.
    expect(Object.keys(resources).length).toBeLessThan(400);
  });

  it("puts the JWT authorizer on every token route and none on public ones", () => {
    const specs = Object.values(routes);
    const token = specs.filter((spec) => spec.auth === "token").map((spec) => `${spec.method} ${spec.path}`);
    const open = specs.filter((spec) => spec.auth === "public").map((spec) => `${spec.method} ${spec.path}`);
    expect(token.map(authorizationOf)).toEqual(token.map(() => "JWT"));
    expect(open.map(authorizationOf).filter((type) => type !== undefined && type !== "NONE")).toEqual([]);
  });

  it("allows cross-origin calls from the page's origin only", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [{ "Fn::Join": ["", ["https://", { "Fn::GetAtt": [logicalId(stack.web.distribution), "DomainName"] }]] }],
      }),
    });
  });

  it("throttles the stage and writes harder than reads", () => {
    const stage = Object.values(resources).find((resource) => resource.Type === "AWS::ApiGatewayV2::Stage");
    const { api, writes } = stageConfig("prod").throttle;
    expect(stage?.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: api.rate, ThrottlingBurstLimit: api.burst });
    expect(stage?.Properties.RouteSettings["POST /awards"]).toEqual({
      ThrottlingRateLimit: writes.rate,
      ThrottlingBurstLimit: writes.burst,
      DetailedMetricsEnabled: true,
    });
    expect(stage?.Properties.AccessLogSettings.Format).toContain("$context.requestId");
  });
});

describe("sign-in", () => {
  it("has a Cognito group per role and no self sign-up", () => {
    template.resourceCountIs("AWS::Cognito::UserPoolGroup", roles.length);
    for (const role of roles) template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: role });
    template.hasResourceProperties("AWS::Cognito::UserPool", { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", { GenerateSecret: false, AllowedOAuthFlows: ["code"] });
  });

  it("puts privileged roles in tokens only through the second-factor trigger, which may read this pool's users and nothing else", () => {
    const cognito = stack.signIn.cognito;
    if (!cognito) throw new Error("the prod stage signs in with Cognito");
    const trigger = logicalId(cognito.secondFactor.function);
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      LambdaConfig: { PreTokenGeneration: { "Fn::GetAtt": [trigger, "Arn"] } },
    });
    const granted = statements().filter(({ roles: attached }) => attached.includes(logicalId(cognito.secondFactor.role)));
    expect(
      granted
        .flatMap(({ statement }) => list(statement.Action))
        .filter((action) => !action.startsWith("logs:") && !action.startsWith("xray:")),
    ).toEqual(["cognito-idp:AdminGetUser"]);
    const pool = granted.find(({ statement }) => list(statement.Action).includes("cognito-idp:AdminGetUser"));
    expect(pool?.statement.Resource).toEqual({ "Fn::GetAtt": [logicalId(cognito.userPool), "Arn"] });
  });
});

describe("operations", () => {
  const alarms = () => Object.values(resources).filter((resource) => resource.Type === "AWS::CloudWatch::Alarm");
  const alarmOn = (metricName: string, dimension: { Name: string; Value: unknown }) =>
    alarms().filter(
      (alarm) =>
        JSON.stringify(alarm.Properties).includes(JSON.stringify(metricName)) &&
        JSON.stringify(alarm.Properties).includes(JSON.stringify(dimension.Value)),
    );

  it("alarms on each function's errors and throttles", () => {
    for (const area of areas) {
      const fn = { Name: "FunctionName", Value: { Ref: logicalId(stack.functions[area].function) } };
      expect(alarmOn("Errors", fn), `${area} errors`).toHaveLength(1);
      expect(alarmOn("Throttles", fn), `${area} throttles`).toHaveLength(1);
    }
  });

  it("alarms on each table's read and write throttles and system errors", () => {
    for (const table of Object.values(stack.tables.tables)) {
      const name = { Name: "TableName", Value: { Ref: logicalId(table) } };
      for (const metric of ["ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"]) {
        expect(alarmOn(metric, name), `${table.node.id} ${metric}`).toHaveLength(1);
      }
    }
  });

  it("alarms on the whole API's 5xx rate (route groups: test/infra/alarms.test.ts)", () => {
    const apiWide = alarmOn("5xx", { Name: "ApiId", Value: { Ref: logicalId(stack.api.httpApi) } }).filter(
      (alarm) => !JSON.stringify(alarm.Properties).includes('"Route"'),
    );
    expect(apiWide).toHaveLength(1);
  });

  it("sends every alarm to the encrypted topic", () => {
    const topic = logicalId(stack.operations.topic);
    for (const alarm of alarms()) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
  });
});

describe("the leaderboard projector", () => {
  const projectorRole = () => logicalId(stack.projector.function.role);
  const mapping = () => Object.values(resources).find((resource) => resource.Type === "AWS::Lambda::EventSourceMapping");

  it("reads the ledger stream with partial batch responses, bisection, bounded retries and a dead-letter queue", () => {
    expect(mapping()?.Properties).toMatchObject({
      EventSourceArn: { "Fn::GetAtt": [logicalId(stack.tables.tables.ledger), "StreamArn"] },
      FunctionName: { Ref: logicalId(stack.projector.function.function) },
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [logicalId(stack.projector.deadLetterQueue), "Arn"] } } },
    });
    // Only inserted entries of people's chains invoke it.
    expect(JSON.stringify(mapping()?.Properties.FilterCriteria)).toContain("CHAIN#person:");
  });

  it("sends failed batches to an encrypted queue that refuses plain HTTP", () => {
    expect(resources[logicalId(stack.projector.deadLetterQueue)]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]),
      }),
    });
  });

  it("may write only leaderboard items (LB#), the event log (EVLOG#) and the detectors' items in the state table, and in the ledger only read its stream, get event records query people's chains and put review items as opened", () => {
    const ledgerId = logicalId(stack.tables.tables.ledger);
    const stateId = logicalId(stack.tables.tables.state);
    const own = statements().filter(({ roles: attached }) => attached.includes(projectorRole()));
    const writes = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];
    const writing = own.filter(({ statement }) => list(statement.Action).some((action) => writes.some((w) => allows(action, w))));
    const [onLedgerWrites, onStateWrites] = [
      writing.filter(({ statement }) => targets(statement, ledgerId)),
      writing.filter(({ statement }) => !targets(statement, ledgerId)),
    ];
    // In the ledger, one append-only family: a review item as opened, which the notifier tells approvers of.
    expect(onLedgerWrites.map(({ statement }) => [list(statement.Action), statement.Condition])).toEqual([
      [["dynamodb:PutItem"], { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["REVIEWLOG#*"] } }],
    ]);
    expect(onStateWrites.length).toBeGreaterThan(0);
    for (const { statement } of onStateWrites) {
      expect(list(statement.Action).some((action) => allows(action, "dynamodb:DeleteItem"))).toBe(false);
      expect(statement).toMatchObject({
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["LB#*", "EVLOG#*", "INTEG#*", "REVIEW#*", "HOLD#*"] } },
      });
      expect(targets(statement, stateId)).toBe(true);
    }
    // Statements on "*" count as on the ledger too (X-Ray's, and ListStreams'): only their DynamoDB actions matter here.
    const onLedger = own
      .filter(({ statement }) => targets(statement, ledgerId))
      .flatMap(({ statement }) => list(statement.Action))
      .filter((action) => action.toLowerCase().startsWith("dynamodb:") || action === "*");
    expect(onLedger.length).toBeGreaterThan(0);
    expect(
      onLedger.every((action) => /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams|GetItem|Query|PutItem)$/.test(action)),
    ).toBe(true);
    // Its GetItem reaches event records only (what a retraction retracted, for the detectors).
    const gets = own.filter(({ statement }) => targets(statement, ledgerId) && list(statement.Action).includes("dynamodb:GetItem"));
    expect(gets.map(({ statement }) => statement.Condition)).toEqual([
      { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["EVENT#*"] } },
    ]);
    // Its Query reaches people's chains only (their recent entries, for the detectors' velocity).
    const queries = own.filter(({ statement }) => targets(statement, ledgerId) && list(statement.Action).includes("dynamodb:Query"));
    expect(queries.map(({ statement }) => statement.Condition)).toEqual([
      { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["CHAIN#person:*"] } },
    ]);
  });

  it("alarms on its iterator age, its dead-letter queue, its errors and throttles", () => {
    const alarms = Object.values(resources).filter((resource) => resource.Type === "AWS::CloudWatch::Alarm");
    const on = (metricName: string, value: unknown) =>
      alarms.filter(
        (alarm) =>
          alarm.Properties.MetricName === metricName && JSON.stringify(alarm.Properties.Dimensions).includes(JSON.stringify(value)),
      );
    const fn = { Ref: logicalId(stack.projector.function.function) };
    expect(on("IteratorAge", fn)).toHaveLength(1);
    expect(on("Errors", fn)).toHaveLength(1);
    expect(on("Throttles", fn)).toHaveLength(1);
    expect(
      on("ApproximateNumberOfMessagesVisible", { "Fn::GetAtt": [logicalId(stack.projector.deadLetterQueue), "QueueName"] }),
    ).toHaveLength(1);
  });
});

describe("backups", () => {
  const rulesOf = (t: Template) =>
    Object.values(t.findResources("AWS::Backup::BackupPlan"))[0]?.Properties.BackupPlan.BackupPlanRule as {
      RuleName: string;
      ScheduleExpression: string;
      Lifecycle: { DeleteAfterDays: number };
      CopyActions?: { DestinationBackupVaultArn: string; Lifecycle: { DeleteAfterDays: number } }[];
    }[];

  it("backs up both tables daily for 35 days and monthly for 12 months, in a vault kept when the stack goes", () => {
    expect(rulesOf(template).map((r) => [r.RuleName, r.ScheduleExpression, r.Lifecycle.DeleteAfterDays, r.CopyActions])).toEqual([
      ["Daily", "cron(0 18 * * ? *)", 35, undefined],
      ["Monthly", "cron(0 18 1 * ? *)", 366, undefined],
    ]);
    const selection = Object.values(template.findResources("AWS::Backup::BackupSelection"))[0]?.Properties.BackupSelection;
    const tableArns = JSON.stringify(selection.Resources);
    for (const table of Object.values(stack.tables.tables)) expect(tableArns).toContain(logicalId(table));
    const vaults = Object.values(template.findResources("AWS::Backup::BackupVault"));
    expect(vaults.map((v) => [v.DeletionPolicy, v.Properties.LockConfiguration])).toEqual([["Retain", undefined]]);
  });

  it("copies every recovery point to a second region's vault and locks the vault when configured", () => {
    const copyVault = "arn:aws-cn:backup:cn-northwest-1:111122223333:backup-vault:laurel-dr";
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const config = { ...stageConfig("prod"), backup: { copyToVaultArn: copyVault, lock: { minRetentionDays: 35, changeableForDays: 3 } } };
    const locked = new LaurelStack(app, "Laurel-locked", { config });
    const t = Template.fromStack(locked);
    expect(rulesOf(t).map((r) => r.CopyActions)).toEqual([
      [{ DestinationBackupVaultArn: copyVault, Lifecycle: { DeleteAfterDays: 35 } }],
      [{ DestinationBackupVaultArn: copyVault, Lifecycle: { DeleteAfterDays: 366 } }],
    ]);
    t.hasResourceProperties("AWS::Backup::BackupVault", { LockConfiguration: { MinRetentionDays: 35, ChangeableForDays: 3 } });
    expect(new AwsSolutionsChecks().validateScope(locked).violations).toEqual([]);
  });
});

describe("cdk-nag AwsSolutions", () => {
  // cdk-nag 3 reports through CDK's policy validation, not through annotations; validateScope
  // runs the same checks that stop `cdk synth`.
  it("finds nothing unacknowledged in the prod stack", () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it("finds nothing unacknowledged in a dev stack that deploys the page", () => {
    const page = writeBuiltPage(mkdtempSync(join(tmpdir(), "laurel-web-")));
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const dev = new LaurelStack(app, "Laurel-dev-page", { config: stageConfig("dev"), webAssetPath: page });
    expect(new AwsSolutionsChecks().validateScope(dev).violations).toEqual([]);
  });
});

it("names no partition in any ARN (arn:aws: would break in China and GovCloud)", () => {
  expect(JSON.stringify(template.toJSON())).not.toContain("arn:aws:");
});

it("synthesises with the cdk CLI, offline and without AWS credentials", () => {
  const out = mkdtempSync(join(tmpdir(), "laurel-synth-"));
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
    const cdk = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "cdk");
    const result = spawnSync(cdk, ["synth", "--quiet", "-c", "stage=prod", "-o", out], { env, encoding: "utf8", timeout: 240_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(out)).toContain("Laurel-prod.template.json");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 300_000);
