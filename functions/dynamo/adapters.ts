/**
 * What every area's composition root wires at cold start: one client, the stores, the clock.
 * Only what every area uses: each import here is in every bundle (the sources' service, which
 * brings the awards context and zod's JSON Schema reader, is wired by the two areas that use it).
 */
import { type DefinitionKind, definitionKinds, type FourEyesPolicy } from "../../domain/kernel/definitions.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import { type AuthConfig, authConfigFromEnv } from "../http/auth.ts";
import type { Area } from "../http/route.ts";
import { AuditLog } from "./audit-log.ts";
import { createDocumentClient, isRetryableDynamoError } from "./client.ts";
import { DynamoDefinitionStore } from "./definition-store.ts";
import { DynamoDirectory } from "./directory-store.ts";
import { DynamoLedgerStore } from "./ledger-store.ts";
import { tableName } from "./tables.ts";

export function createAdapters(area: Area) {
  const db = createDocumentClient(area);
  const tables = { ledger: tableName("ledger"), state: tableName("state") };
  const definitions = new DynamoDefinitionStore(db, tables.state);
  const directory = new DynamoDirectory(db, tables, definitions);
  const timeZone = process.env.TIME_ZONE ?? "Asia/Shanghai";
  const ledgerStore = new DynamoLedgerStore(db, tables, definitions, timeZone);
  const clock: Clock = { now: () => new Date() };
  const audit = new AuditLog(db, tables.ledger);
  let auth: AuthConfig | undefined;
  return {
    db,
    tables,
    directory,
    ledgerStore,
    definitions,
    audit,
    clock,
    /** The company's time zone: periods (days, weeks) of caps, streaks and leaderboards. */
    timeZone,
    /** Read at each change, from the stage's configuration (lib/stage.ts). */
    fourEyes: () => fourEyesFromEnv(process.env),
    /** DynamoDB's throttling, races and transient faults: the HTTP stack answers them 503 busy. */
    retryable: isRetryableDynamoError,
    auth: () => {
      auth ??= authConfigFromEnv(process.env, directory);
      return auth;
    },
  };
}

/**
 * FOUR_EYES_KINDS (comma-separated definition kinds whose every change waits for a second admin)
 * and FOUR_EYES_RULE_AWARD_ABOVE (rules paying more per event wait too); unset, four eyes is off.
 */
export function fourEyesFromEnv(env: Record<string, string | undefined>): FourEyesPolicy {
  const kinds = (env.FOUR_EYES_KINDS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !definitionKinds.includes(k as DefinitionKind));
  if (unknown.length) throw new Error(`FOUR_EYES_KINDS names unknown kinds: ${unknown.join(", ")}`);
  const above = env.FOUR_EYES_RULE_AWARD_ABOVE;
  return { kinds: kinds as DefinitionKind[], ...(above ? { ruleAwardAbove: Number(above) } : {}) };
}
