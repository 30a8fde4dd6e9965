/** What every area's composition root wires at cold start: one client, the stores, the clock. */

import { SourceService } from "../../domain/awards/index.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import { type AuthConfig, authConfigFromEnv } from "../http/auth.ts";
import type { Area } from "../http/route.ts";
import { SecretBox } from "../secrets/secret-box.ts";
import { AuditLog } from "./audit-log.ts";
import { createDocumentClient } from "./client.ts";
import { DynamoDefinitionStore } from "./definition-store.ts";
import { DynamoDirectory } from "./directory-store.ts";
import { DynamoLedgerStore } from "./ledger-store.ts";
import { tableName } from "./tables.ts";

export function createAdapters(area: Area) {
  const db = createDocumentClient(area);
  const tables = { ledger: tableName("ledger"), state: tableName("state") };
  const directory = new DynamoDirectory(db, tables.state, { orgTreeTtlMs: Number(process.env.ORG_TREE_TTL_MS ?? 30_000) });
  const timeZone = process.env.TIME_ZONE ?? "Asia/Shanghai";
  const definitions = new DynamoDefinitionStore(db, tables.state);
  const ledgerStore = new DynamoLedgerStore(db, tables, definitions, timeZone);
  const clock: Clock = { now: () => new Date() };
  const audit = new AuditLog(db, tables.ledger);
  let sources: SourceService | undefined;
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
    sources: () => {
      sources ??= new SourceService({ definitions, sealer: SecretBox.fromEnv(), clock });
      return sources;
    },
    auth: () => {
      auth ??= authConfigFromEnv();
      return auth;
    },
  };
}
