/**
 * What each area's function may do with each table: the only place that decides it.
 *
 * A new area in functions/http/route.ts fails to compile until it has a line here, e.g.
 * `eligibility: { ledger: "read", state: "read" }` or `webhooks: { ledger: "append", state: "write" }`.
 *
 * The ledger is append-only. IAM enforces what it can: no role gets dynamodb:UpdateItem or
 * dynamodb:DeleteItem on the ledger table. IAM cannot require a condition expression on PutItem,
 * so overwriting an existing entry is prevented by the code's attribute_not_exists conditions
 * and would be detected by the hash chain (see docs/DEPLOY.md).
 */

import type { Table } from "aws-cdk-lib/aws-dynamodb";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import { Grant } from "aws-cdk-lib/aws-iam";
import type { TableSpec } from "../functions/dynamo/tables.ts";
import type { Area } from "../functions/http/route.ts";

export type LedgerAccess = "none" | "read" | "append";
export type StateAccess = "none" | "read" | "write";

export interface AreaAccess {
  ledger: LedgerAccess;
  state: StateAccess;
  /** Reads the key that seals the sources' webhook signing secrets. */
  sourceKey?: true;
  /**
   * Appends audit records (AUDIT# keys) to the ledger table: an area that reads the ledger gets
   * nothing else to write there; one that appends entries anyway gets this too.
   */
  audit?: true;
}

export const areaAccess: Record<Area, AreaAccess> = {
  public: { ledger: "none", state: "none" },
  ledger: { ledger: "append", state: "write", audit: true },
  admin: { ledger: "none", state: "write", sourceKey: true, audit: true },
  webhooks: { ledger: "append", state: "write", sourceKey: true, audit: true },
  fund: { ledger: "append", state: "write", audit: true },
  // Reads only, but for its audit trail: HR's checks are personal data, and every one is recorded.
  eligibility: { ledger: "read", state: "read", audit: true },
  leaderboard: { ledger: "none", state: "read" },
  // Pioneer indices (admin) and opt-out preferences (self): kept apart so boards stay read-only.
  "leaderboard-settings": { ledger: "none", state: "write", audit: true },
  // Rewards in the authors' chains and fund reservations: it appends entries as the fund does.
  bounties: { ledger: "append", state: "write", audit: true },
  // Imported entries, their markers and late sums, and the import's progress.
  imports: { ledger: "append", state: "write", audit: true },
};

const read = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];

// Transactions need no action of their own: each item in TransactWriteItems is authorised by
// the action it performs (Put, ConditionCheck, Update).
export const tableActions = {
  ledger: { none: [], read, append: [...read, "dynamodb:PutItem", "dynamodb:ConditionCheckItem"] },
  state: { none: [], read, write: [...read, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"] },
} satisfies { ledger: Record<LedgerAccess, string[]>; state: Record<StateAccess, string[]> };

/** PutItem on the ledger table for items whose partition key starts AUDIT#, and for no other item. */
export function grantAuditAppend(grantee: IGrantable, ledger: Table): void {
  Grant.addToPrincipal({
    grantee,
    actions: ["dynamodb:PutItem"],
    resourceArns: [ledger.tableArn],
    conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["AUDIT#*"] } },
  });
}

/** Grants the actions on the table and on each of its indexes by name (no wildcard ARNs). */
export function grantTable(grantee: IGrantable, table: Table, spec: TableSpec, actions: readonly string[]): void {
  if (actions.length === 0) return;
  Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [table.tableArn, ...spec.globalIndexes.map((index) => `${table.tableArn}/index/${index.name}`)],
  });
}
