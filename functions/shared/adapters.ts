/** What every area's composition root wires at cold start: one client, the stores, the clock. */
import type { Clock } from "../../domain/ports.ts";
import { type AuthConfig, authConfigFromEnv } from "./auth.ts";
import { DynamoDirectory } from "./directory-store.ts";
import { createDocumentClient } from "./dynamo.ts";
import { DynamoLedgerStore } from "./ledger-store.ts";
import { tableName } from "./tables.ts";

export function createAdapters() {
  const db = createDocumentClient();
  const tables = { ledger: tableName("ledger"), state: tableName("state") };
  const directory = new DynamoDirectory(db, tables.state, { orgTreeTtlMs: Number(process.env.ORG_TREE_TTL_MS ?? 30_000) });
  const ledgerStore = new DynamoLedgerStore(db, tables);
  const clock: Clock = { now: () => new Date() };
  let auth: AuthConfig | undefined;
  return { db, tables, directory, ledgerStore, clock, auth: () => (auth ??= authConfigFromEnv()) };
}
