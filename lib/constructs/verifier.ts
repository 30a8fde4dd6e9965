/**
 * The scheduled ledger verifier (functions/background/verifier.ts): every hour it checks the whole ledger
 * (hash chains, projections, balances, sums) and fails when anything is wrong, which raises the
 * function's error alarm in Operations. It reads the ledger with a Scan, the only role that may.
 */
import { join } from "node:path";
import { Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Construct } from "constructs";
import { tables } from "../../functions/dynamo/tables.ts";
import { grantState, grantTable, ledgerActions } from "../access.ts";
import { verifierHeapFlags } from "../bundling.ts";
import { type BackgroundFunctionProps, LaurelFunction } from "./laurel-function.ts";

export class Verifier extends Construct {
  readonly function: LaurelFunction;
  /** How often it runs; Operations alarms when it has not run for two of these. */
  readonly every = Duration.hours(1);

  constructor(scope: Construct, id: string, props: BackgroundFunctionProps) {
    super(scope, id);
    this.function = new LaurelFunction(this, "verifier", {
      entry: join(props.repoRoot, "functions", "background", "verifier.ts"),
      description: `Laurel ${props.stage}: hourly check of every ledger invariant`,
      environment: props.environment,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      timeout: Duration.minutes(15),
      v8Flags: verifierHeapFlags,
    });
    grantTable(this.function.role, props.ledger, tables.ledger, [...ledgerActions.read, "dynamodb:Scan"]);
    grantState(this.function.role, props.state, tables.state, "read");
    new Rule(this, "Hourly", {
      schedule: Schedule.rate(this.every),
      targets: [new LambdaFunction(this.function.function, { retryAttempts: 0 })],
    });
  }
}
