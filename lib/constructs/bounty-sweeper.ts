/**
 * The bounty sweeper (functions/background/bounty-sweeper.ts): every hour it expires the open bounties past
 * their deadline, which releases the fund money they reserved. It writes what the bounties area
 * writes: entries (the void of a reservation) and the bounty.
 */
import { join } from "node:path";
import { Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Construct } from "constructs";
import { tables } from "../../functions/dynamo/tables.ts";
import { areaAccess, grantState, grantTable, ledgerActions } from "../access.ts";
import { type BackgroundFunctionProps, LaurelFunction } from "./laurel-function.ts";

export class BountySweeper extends Construct {
  readonly function: LaurelFunction;

  constructor(scope: Construct, id: string, props: BackgroundFunctionProps) {
    super(scope, id);
    this.function = new LaurelFunction(this, "bounty-sweeper", {
      entry: join(props.repoRoot, "functions", "background", "bounty-sweeper.ts"),
      description: `Laurel ${props.stage}: hourly expiry of bounties past their deadline`,
      environment: props.environment,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      timeout: Duration.minutes(5),
    });
    // What the bounties area may do, no more: the sweep is that area's expiry, on a schedule.
    grantTable(this.function.role, props.ledger, tables.ledger, ledgerActions[areaAccess.bounties.ledger]);
    grantState(this.function.role, props.state, tables.state, areaAccess.bounties.state);
    new Rule(this, "Hourly", {
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(this.function.function, { retryAttempts: 2 })],
    });
  }
}
