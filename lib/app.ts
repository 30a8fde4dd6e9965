/**
 * The CDK app: `npx cdk synth|deploy -c stage=dev|prod` (default dev); for AWS China add
 * `-c partition=aws-cn` or `-c region=cn-north-1|cn-northwest-1` (docs/DEPLOY.md). Every synth
 * runs the cdk-nag AwsSolutions checks; an unacknowledged finding stops it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { LaurelStack, repoRoot } from "./laurel-stack.ts";
import { partitionOf, stageConfig } from "./stage.ts";

const app = new App();
const region: string | undefined = app.node.tryGetContext("region");
const stage = stageConfig(app.node.tryGetContext("stage") ?? "dev", app.node.tryGetContext("partition") ?? partitionOf(region));
// Per account: -c backupCopyVaultArn=<a vault in a second region> -c backupLockDays=35 (docs/OPERATIONS.md).
const copyToVaultArn: string | undefined = app.node.tryGetContext("backupCopyVaultArn");
const lockDays: string | undefined = app.node.tryGetContext("backupLockDays");
// After a restore: -c ledgerTable=<restored name> -c stateTable=<restored name>, kept in cdk.json's
// context from then on (docs/OPERATIONS.md, "Runbook: restore the tables in AWS").
const tableNames = Object.fromEntries(
  (["ledger", "state"] as const).flatMap((name) => {
    const value: string | undefined = app.node.tryGetContext(`${name}Table`);
    return value ? [[name, value]] : [];
  }),
);
// Per account: -c inviteFrom=laurel@example.com sends Cognito's invitations through SES (docs/DEPLOY.md).
const inviteFrom: string | undefined = app.node.tryGetContext("inviteFrom");
const config = {
  ...stage,
  ...(inviteFrom && stage.identity.kind === "cognito" ? { identity: { ...stage.identity, inviteFrom } } : {}),
  backup: {
    ...stage.backup,
    ...(copyToVaultArn ? { copyToVaultArn } : {}),
    ...(lockDays ? { lock: { minRetentionDays: Number(lockDays), changeableForDays: 3 } } : {}),
  },
  ...(Object.keys(tableNames).length ? { tableNames } : {}),
};
const webDist = join(repoRoot, "web", "dist");

new LaurelStack(app, `Laurel-${config.stage}`, {
  config,
  description: `Laurel incentive ledger (${config.stage}${config.partition === "aws" ? "" : `, ${config.partition}`})`,
  ...(region ? { env: { region } } : {}),
  ...(existsSync(webDist) ? { webAssetPath: webDist } : {}),
});

// cdk-nag 3 is a policy-validation plugin (it replaced the Aspect of cdk-nag 2).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
