/**
 * IAM conformance: every DynamoDB request a Laurel function made anywhere in this test run
 * (recorded by test/support/sdk-recorder.ts) is evaluated against that function's role in the
 * synthesised prod template by an IAM policy evaluator (@cloud-copilot/iam-simulate), with
 * `dynamodb:LeadingKeys` as AWS sets it. DynamoDB Local enforces no IAM; this is where a request
 * AWS would refuse fails the suite, naming the request and the statement closest to allowing it.
 *
 * It runs after every other test file (vitest.config.ts: the `iam` project's group order).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { areas } from "../../functions/http/route.ts";
import { LaurelStack } from "../../lib/laurel-stack.ts";
import { stageConfig } from "../../lib/stage.ts";
import type { IamRequest, RecordedRequest } from "../support/sdk-recorder.ts";

const account = "111122223333";
const region = "cn-north-1";
const partition = "aws-cn";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resources = Record<string, { Type: string; Properties?: Record<string, Json> }>;

/** Resolves the intrinsics CDK writes into IAM policies to the ARNs AWS would see. */
function resolver(resources: Resources, tables: Record<string, string>) {
  const arnOf = (id: string, attribute: string): string => {
    const type = resources[id]?.Type;
    if (type === "AWS::DynamoDB::Table")
      return `arn:${partition}:dynamodb:${region}:${account}:table/${id}${attribute === "StreamArn" ? "/stream/2026" : ""}`;
    const service = type?.split("::")[1]?.toLowerCase() ?? "unknown";
    return `arn:${partition}:${service}:${region}:${account}:${id}`;
  };
  const pseudo: Record<string, string> = {
    "AWS::Partition": partition,
    "AWS::Region": region,
    "AWS::AccountId": account,
    "AWS::URLSuffix": "amazonaws.com.cn",
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== "object") return value;
    if ("Ref" in value)
      return (
        pseudo[value.Ref as string] ??
        (resources[value.Ref as string]?.Type === "AWS::DynamoDB::Table" ? (value.Ref as string) : arnOf(value.Ref as string, "Ref"))
      );
    if ("Fn::GetAtt" in value) {
      const [id, attribute] = value["Fn::GetAtt"] as [string, string];
      return arnOf(id, attribute);
    }
    if ("Fn::Join" in value) {
      const [separator, parts] = value["Fn::Join"] as [string, Json[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
  };
  const tableArn = (request: IamRequest): string => {
    const id = tables[request.table];
    if (!id) throw new Error(`a request to table ${request.table}, which the stack does not declare`);
    return `${arnOf(id, "Arn")}${request.index ? `/index/${request.index}` : ""}`;
  };
  return { resolve, tableArn };
}

function recordedRequests(): RecordedRequest[] {
  const dir = process.env.LAUREL_SDK_RECORD;
  if (!dir) throw new Error("LAUREL_SDK_RECORD is not set: run the whole suite with `npm test`");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".jsonl"))
    .flatMap((file) =>
      readFileSync(join(dir, file), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedRequest),
    );
}

let policiesOf: Map<string, { name: string; policy: Json }[]>;
let tableArnOf: (request: IamRequest) => string;
let recorded: RecordedRequest[];

beforeAll(() => {
  const stack = new LaurelStack(new App(), "Laurel-iam", { config: stageConfig("prod") });
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.resolve(stack.getLogicalId(construct.node.defaultChild as Parameters<typeof stack.getLogicalId>[0])) as string;
  const tables = { ledger: logicalId(stack.tables.tables.ledger), state: logicalId(stack.tables.tables.state) };
  const { resolve, tableArn } = resolver(resources, tables);
  tableArnOf = tableArn;
  const roles: Record<string, string> = {
    ...Object.fromEntries(areas.map((area) => [area, logicalId(stack.functions[area].role)])),
    projector: logicalId(stack.projector.function.role),
    verifier: logicalId(stack.verifier.function.role),
    notifier: logicalId(stack.notifications.notifier.role),
    deliverer: logicalId(stack.notifications.deliverer.role),
  };
  policiesOf = new Map(
    Object.entries(roles).map(([caller, role]) => [
      caller,
      Object.entries(resources)
        .filter(([, r]) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties?.Roles ?? []).includes(`"${role}"`))
        .map(([id, r]) => ({ name: id, policy: resolve(r.Properties?.PolicyDocument as Json) })),
    ]),
  );
  recorded = recordedRequests();
});

/** Why AWS would refuse a request, or undefined if it would allow it. */
async function refusal(caller: string, request: IamRequest): Promise<string | undefined> {
  const resource = tableArnOf(request);
  const result = await runSimulation(
    {
      request: {
        principal: `arn:${partition}:iam::${account}:role/${caller}`,
        action: `dynamodb:${request.action}`,
        resource: { resource, accountId: account },
        contextVariables: request.leadingKeys?.length ? { "dynamodb:LeadingKeys": request.leadingKeys } : {},
      },
      identityPolicies: policiesOf.get(caller) ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") return `the evaluator refused the request: ${JSON.stringify(result.errors)}`;
  if (result.resultType !== "single") return `a wildcard resource ${resource}`;
  const { analysis, ignoredContextKeys } = result.result;
  if (ignoredContextKeys?.length) return `context keys ${ignoredContextKeys.join(", ")} do not apply`;
  if (result.overallResult === "Allowed") return undefined;
  const identity = analysis.identityAnalysis;
  const denying = identity?.denyStatements?.map((s) => JSON.stringify(s.statement.toJSON())) ?? [];
  const near = (identity?.unmatchedStatements ?? [])
    .filter((s) => s.explain.actionMatch && s.explain.resourceMatch)
    .map((s) => `${s.policyId} ${JSON.stringify(s.statement.toJSON())}`);
  const why = denying.length
    ? `denied by ${denying.join("; ")}`
    : near.length
      ? `a condition fails in ${near.join("; ")}`
      : "no statement allows it";
  return `${result.overallResult}: ${why}`;
}

describe("IAM conformance of the prod template", () => {
  it("saw requests from every function that touches DynamoDB, so the suite really ran", () => {
    const callers = new Set(recorded.map((r) => r.caller));
    const expected = [...areas.filter((area) => area !== "public"), "projector", "verifier", "notifier", "deliverer"];
    expect(expected.filter((caller) => !callers.has(caller))).toEqual([]);
  });

  it("allows every request each function made in the suite, and each only by that function's role", async () => {
    const unique = new Map<string, { caller: string; command: string; request: IamRequest }>();
    for (const { caller, command, requests } of recorded)
      for (const request of requests) unique.set(JSON.stringify([caller, request]), { caller, command, request });
    const refused: string[] = [];
    for (const { caller, command, request } of unique.values()) {
      const why = await refusal(caller, request);
      if (why)
        refused.push(
          `${caller}: ${request.action} on ${request.table}${request.index ? `/index/${request.index}` : ""} keys ${JSON.stringify(request.leadingKeys ?? [])} (in ${command}) → ${why}`,
        );
    }
    expect(refused.sort()).toEqual([]);
  }, 300_000);
});
