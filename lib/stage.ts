/**
 * What differs between a dev and a prod deployment, in one place. Everything else is the same
 * in both stages, so that dev rehearses what prod runs.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IntegritySettings } from "../domain/integrity/index.ts";
import type { FourEyesPolicy } from "../domain/kernel/definitions.ts";
import type * as z from "../domain/kernel/zod/index.ts";
import type { BackupSettings } from "./constructs/backup.ts";
import type { TableNames } from "./constructs/ledger-tables.ts";

export const stageNames = ["dev", "prod"] as const;
export type StageName = (typeof stageNames)[number];

export interface RequestLimits {
  /** Steady-state requests per second. */
  rate: number;
  /** Requests API Gateway accepts at once above the rate. */
  burst: number;
}

/** Where a person's roles come from: a claim of the provider's tokens, or Laurel's directory (set by admins, audited). */
export type RoleSource = { claim: string } | { from: "directory" };

/**
 * Who signs people in. `cognito`: a user pool of the stack (not offered in the China regions).
 * `oidc`: any OpenID Connect issuer the company runs (its discovery document names the keys).
 * `token-service`: Laurel's own issuer (POST /auth/dingtalk), at the API's custom domain, for
 * providers that issue no OIDC tokens; roles come from the directory.
 */
export type IdentityConfig =
  /** `inviteFrom`: the address invitations go out from through SES (its domain verified in SES); Cognito's own sender otherwise (50 a day). */
  | { kind: "cognito"; inviteFrom?: string }
  | { kind: "oidc"; issuer: string; audiences: readonly string[]; roles: RoleSource }
  | { kind: "token-service" };

/** `aws` builds with CloudFront Functions, origin access control and Cognito; `aws-cn` without them. */
export type Partition = "aws" | "aws-cn";

export interface StageConfig {
  stage: StageName;
  partition: Partition;
  identity: IdentityConfig;
  logRetention: RetentionDays;
  /**
   * For what can be rebuilt or recreated (state projections, the page bucket, logs, the user
   * pool in dev). The ledger is never governed by this: it is retained in every stage.
   */
  removalPolicy: RemovalPolicy;
  /** Cognito threat protection needs the Plus feature plan, billed per monthly active user. */
  threatProtection: boolean;
  /** The whole API, and the stricter limits of routes that write. */
  throttle: { api: RequestLimits; writes: RequestLimits };
  /** Definition changes that wait for a second admin (docs/SECURITY.md). */
  fourEyes: FourEyesPolicy;
  /** Where backups are copied and whether the vault is locked: per account, from `cdk -c` (lib/app.ts). */
  backup: BackupSettings;
  /** Restored tables the stack adopts instead of its own: per account, from `cdk -c` (lib/app.ts). */
  tableNames?: TableNames;
  /** The anti-gaming detectors' thresholds and the hold policy (docs/INTEGRITY.md); what is left out takes its default. */
  integrity: z.input<typeof IntegritySettings>;
}

const configs: Record<StageName, StageConfig> = {
  dev: {
    stage: "dev",
    partition: "aws",
    identity: { kind: "cognito" },
    logRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
    threatProtection: false,
    throttle: { api: { rate: 20, burst: 40 }, writes: { rate: 5, burst: 10 } },
    fourEyes: { kinds: [] },
    backup: {},
    integrity: {},
  },
  prod: {
    stage: "prod",
    partition: "aws",
    identity: { kind: "cognito" },
    logRetention: RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    threatProtection: true,
    throttle: { api: { rate: 200, burst: 400 }, writes: { rate: 50, burst: 100 } },
    // Every gate and source change (a source is what can pay), and rules paying more than 1,000
    // coins plus points per event; indices, rewards and badges when a stage's policy says so.
    fourEyes: { kinds: ["gate", "source"], ruleAwardAbove: 1000 },
    backup: {},
    integrity: {},
  },
};

/**
 * A stage as deployed in a partition. In China (Beijing cn-north-1, Ningxia cn-northwest-1) there
 * is no Cognito, so people sign in through Laurel's token service (DingTalk), and Cognito's Plus
 * plan is moot.
 */
export function stageConfig(stage: unknown, partition: unknown = "aws"): StageConfig {
  if (!stageNames.includes(stage as StageName)) {
    throw new Error(`Unknown stage ${JSON.stringify(stage)}: pass -c stage=${stageNames.join("|")}`);
  }
  if (partition !== "aws" && partition !== "aws-cn") {
    throw new Error(`Unknown partition ${JSON.stringify(partition)}: pass -c partition=aws|aws-cn`);
  }
  const config = configs[stage as StageName];
  return partition === "aws" ? config : { ...config, partition, identity: { kind: "token-service" }, threatProtection: false };
}

/** The partition of a region given with `-c region=`: cn-* regions are AWS China's. */
export const partitionOf = (region: string | undefined): Partition => (region?.startsWith("cn-") ? "aws-cn" : "aws");
