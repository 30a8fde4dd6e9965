/**
 * AWS Backup of both tables, besides their point-in-time recovery (35 days, to the second, but
 * inside the same account and region and gone with the table): daily recovery points kept 35
 * days and monthly ones kept 12 months, in a vault that outlives the stack, optionally copied to
 * a vault in a second region and optionally locked (WORM). The restore runbook is
 * docs/OPERATIONS.md.
 */
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { BackupPlan, type BackupPlanCopyActionProps, BackupPlanRule, BackupResource, BackupVault } from "aws-cdk-lib/aws-backup";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { Schedule } from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";

export interface BackupSettings {
  /** A backup vault in another region (its ARN) that every recovery point is copied to. */
  copyToVaultArn?: string;
  /**
   * Vault lock: recovery points cannot be deleted before this many days, by anyone, root
   * included. After `changeableForDays` (at least 3) the lock itself can no longer be removed.
   */
  lock?: { minRetentionDays: number; changeableForDays: number };
}

export interface BackupProps extends BackupSettings {
  stage: string;
  tables: Table[];
}

const daily = { days: 35 };
const monthly = { days: 366 };

export class Backup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    this.vault = new BackupVault(this, "Vault", {
      backupVaultName: `laurel-${props.stage}`,
      // Recovery points are what a lost table comes back from: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.lock
        ? {
            lockConfiguration: {
              minRetention: Duration.days(props.lock.minRetentionDays),
              changeableFor: Duration.days(props.lock.changeableForDays),
            },
          }
        : {}),
    });
    const copy = (keepDays: number): { copyActions?: BackupPlanCopyActionProps[] } =>
      props.copyToVaultArn
        ? {
            copyActions: [
              {
                destinationBackupVault: BackupVault.fromBackupVaultArn(this, `CopyVault${keepDays}`, props.copyToVaultArn),
                deleteAfter: Duration.days(keepDays),
              },
            ],
          }
        : {};
    this.plan = new BackupPlan(this, "Plan", {
      backupPlanName: `laurel-${props.stage}`,
      backupVault: this.vault,
      backupPlanRules: [
        // 02:00 in Shanghai, the quietest hour of the company's day.
        new BackupPlanRule({
          ruleName: "Daily",
          scheduleExpression: Schedule.cron({ hour: "18", minute: "0" }),
          deleteAfter: Duration.days(daily.days),
          ...copy(daily.days),
        }),
        new BackupPlanRule({
          ruleName: "Monthly",
          scheduleExpression: Schedule.cron({ day: "1", hour: "18", minute: "0" }),
          deleteAfter: Duration.days(monthly.days),
          ...copy(monthly.days),
        }),
      ],
    });
    const selection = this.plan.addSelection("Tables", { resources: props.tables.map((table) => BackupResource.fromDynamoDbTable(table)) });
    // The selection's role carries the managed policies AWS maintains for exactly this service role.
    for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
      Validations.of(selection).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
        reason: `${policy} is the policy AWS maintains for the AWS Backup service role; the plan's selection limits it to the two tables.`,
      });
    }
  }
}
