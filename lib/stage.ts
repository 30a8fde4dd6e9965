/**
 * What differs between a dev and a prod deployment, in one place. Everything else is the same
 * in both stages, so that dev rehearses what prod runs.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { FourEyesPolicy } from "../domain/kernel/definitions.ts";
import type { BackupSettings } from "./constructs/backup.ts";

export const stageNames = ["dev", "prod"] as const;
export type StageName = (typeof stageNames)[number];

export interface RequestLimits {
  /** Steady-state requests per second. */
  rate: number;
  /** Requests API Gateway accepts at once above the rate. */
  burst: number;
}

export interface StageConfig {
  stage: StageName;
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
}

const configs: Record<StageName, StageConfig> = {
  dev: {
    stage: "dev",
    logRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
    threatProtection: false,
    throttle: { api: { rate: 20, burst: 40 }, writes: { rate: 5, burst: 10 } },
    fourEyes: { kinds: [] },
    backup: {},
  },
  prod: {
    stage: "prod",
    logRetention: RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    threatProtection: true,
    throttle: { api: { rate: 200, burst: 400 }, writes: { rate: 50, burst: 100 } },
    // Every gate change, and rules paying more than 1,000 coins plus points per event.
    fourEyes: { kinds: ["gate"], ruleAwardAbove: 1000 },
    backup: {},
  },
};

export function stageConfig(stage: unknown): StageConfig {
  if (!stageNames.includes(stage as StageName)) {
    throw new Error(`Unknown stage ${JSON.stringify(stage)}: pass -c stage=${stageNames.join("|")}`);
  }
  return configs[stage as StageName];
}
