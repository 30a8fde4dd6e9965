/**
 * A Lambda function with Laurel's defaults: Node.js 24 on arm64, an ESM bundle with source
 * maps, active tracing (the X-Ray SDK from the stack's layer), JSON logs in a log group of its own with a retention, and a role that
 * holds nothing but the right to write to that log group (instead of the managed
 * AWSLambdaBasicExecutionRole, which may create and write any log group).
 */
import { Duration, type RemovalPolicy, Validations } from "aws-cdk-lib";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, LoggingFormat, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { lambdaBundling } from "../bundling.ts";
import { XRaySdkLayer } from "./xray-layer.ts";

export interface LaurelFunctionProps {
  /** Absolute path of the handler file; it exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  /** 10 s suits request handlers; batch jobs ask for more. */
  timeout?: Duration;
  /** V8 flags for NODE_OPTIONS beside the source maps (lib/bundling.ts). */
  v8Flags?: readonly string[];
}

export class LaurelFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LaurelFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, "Logs", { retention: props.logRetention, removalPolicy: props.logRemovalPolicy });
    this.role = new Role(this, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com"), description: props.description });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: "handler",
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      layers: [XRaySdkLayer.of(this)],
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: ["--enable-source-maps", ...(props.v8Flags ?? [])].join(" ") },
      bundling: {
        format: OutputFormat.ESM,
        target: lambdaBundling.target,
        mainFields: [...lambdaBundling.mainFields],
        minify: lambdaBundling.minify,
        sourceMap: true,
        sourcesContent: false,
        banner: lambdaBundling.banner,
        externalModules: [...lambdaBundling.external],
        forceDockerBundling: false,
      },
    });

    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the role.
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; the statement is added by active tracing.",
    });
  }
}

/** What the stack hands each function that no HTTP route invokes (the projector, the verifier, the bounty sweeper). */
export interface BackgroundFunctionProps {
  stage: string;
  repoRoot: string;
  ledger: Table;
  state: Table;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}
