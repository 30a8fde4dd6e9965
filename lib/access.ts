/**
 * What each area's function may do with each table: the only place that decides it.
 *
 * A new area in functions/http/route.ts fails to compile until it has a line here, e.g.
 * `leaderboard: { ledger: "none", state: "read" }`. State-table writes name the key families the
 * area owns (functions/dynamo/keys.ts), so that no area but those that move balances may write a
 * chain head. test/infra/iam-conformance.test.ts evaluates every request the suite makes against
 * these grants in the synthesised template.
 *
 * The ledger is append-only. IAM enforces what it can: no role gets dynamodb:UpdateItem or
 * dynamodb:DeleteItem on the ledger table. IAM cannot require a condition expression on PutItem,
 * so overwriting an existing entry is prevented by the code's attribute_not_exists conditions
 * and would be detected by the hash chain (see docs/DEPLOY.md).
 */

import type { Table } from "aws-cdk-lib/aws-dynamodb";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import { Grant, Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { stateKeyFamilies as families } from "../functions/dynamo/keys.ts";
import type { TableSpec } from "../functions/dynamo/tables.ts";
import type { Area } from "../functions/http/route.ts";
import type { LaurelFunction } from "./constructs/laurel-function.ts";

export type LedgerAccess = "none" | "read" | "append";
/**
 * Reads the whole state table, and writes only items whose partition key matches `writes`; deletes
 * only those matching `removes` (the approvers' queue, which a claim leaves once decided).
 */
export type StateAccess = "none" | "read" | { writes: readonly string[]; removes?: readonly string[] };

export interface AreaAccess {
  ledger: LedgerAccess;
  state: StateAccess;
  /** Reads the key that seals the sources' webhook signing secrets. */
  sourceKey?: true;
  /** Reads the key ring that signs badge credentials (functions/secrets/badge-signer.ts). */
  badgeKey?: true;
  /**
   * Appends audit records (AUDIT# keys) to the ledger table: an area that reads the ledger gets
   * nothing else to write there; one that appends entries anyway gets this too.
   */
  audit?: true;
  /** Reads the token service's signing keys and the WeCom app's secret (stages that run it). */
  tokenService?: true;
  /** Reads the DingTalk app's secret (functions/dingtalk/openapi-client.ts): its credentials and callback keys. */
  dingTalkApp?: true;
  /** Invokes itself asynchronously: long backtests run as jobs (functions/invoke/self-invocation.ts). */
  invokesItself?: true;
}

const balances = [...families.chainHeads, ...families.facts, ...families.late];
/** A kind of definition, and its changes waiting for a second admin (four eyes, docs/SECURITY.md). */
const definitions = (kind: string) => [...families.definitions(kind), ...families.definitions(`proposed-${kind}`)];

export const areaAccess: Record<Area, AreaAccess> = {
  public: { ledger: "none", state: "none" },
  ledger: { ledger: "append", state: { writes: [...balances, ...families.budgetDraws] }, badgeKey: true, audit: true },
  // The directory, the definitions of sources, rules and badges, and backtest jobs; never a balance nor a review.
  admin: {
    ledger: "none",
    invokesItself: true,
    state: {
      writes: [...families.directory, ...definitions("source"), ...definitions("rule"), ...definitions("badge"), ...families.backtests],
    },
    sourceKey: true,
    audit: true,
    // The org sync's callback: DingTalk's contact changes, with details read from DingTalk's API.
    dingTalkApp: true,
  },
  // Awards from sources, and approvers' decisions on review items (anti-gaming), which lift the
  // holds they put and post or reject the awards kept meanwhile.
  webhooks: {
    ledger: "append",
    state: { writes: [...balances, ...families.budgetDraws, ...families.reviews, ...families.heldList], removes: families.heldList },
    sourceKey: true,
    audit: true,
  },
  fund: {
    ledger: "append",
    state: {
      writes: [
        ...families.chainHeads,
        ...families.funds,
        ...families.waitingClaims,
        ...families.redemptions,
        ...families.counters,
        ...definitions("reward"),
        ...families.definitions("budget"),
      ],
      removes: families.waitingClaims,
    },
    audit: true,
  },
  // Reads, but for gate definitions and its audit trail: HR's checks are personal data, and every one is recorded.
  eligibility: { ledger: "read", state: { writes: definitions("gate") }, audit: true },
  leaderboard: { ledger: "none", state: "read" },
  // Pioneer indices (admin) and opt-out preferences (self): kept apart so boards stay read-only.
  "leaderboard-settings": { ledger: "none", state: { writes: [...families.preferences, ...definitions("index")] }, audit: true },
  // Rewards in the authors' chains, the pool's head (its reservation and book) and, on acceptance, the fund claim.
  bounties: {
    ledger: "append",
    state: { writes: [...families.chainHeads, "CLAIM#*", ...families.waitingClaims, ...families.bounties] },
    audit: true,
  },
  // Imported entries (their chain heads and late sums) and the import's progress.
  imports: { ledger: "append", state: { writes: [...families.chainHeads, ...families.late, ...families.imports] }, audit: true },
  // Reads people by their DingTalk id; writes only the hashes of spent sign-in codes, and the audit trail.
  "sign-in": { ledger: "none", state: { writes: families.spentCodes }, audit: true, tokenService: true, dingTalkApp: true },
  // Preferences (self), channels and replayed dead letters (admin); channel secrets are sealed with the source key.
  notifications: {
    ledger: "none",
    state: { writes: [...families.notificationPreferences, ...families.notificationChannels] },
    sourceKey: true,
    audit: true,
  },
};

const read = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];
// Transactions need no action of their own: each item in TransactWriteItems is authorised by
// the action it performs (Put, ConditionCheck, Update).
const stateWrites = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"];

export const ledgerActions: Record<LedgerAccess, string[]> = {
  none: [],
  read,
  append: [...read, "dynamodb:PutItem", "dynamodb:ConditionCheckItem"],
};

/** PutItem on the ledger table for items whose partition key starts AUDIT#, and for no other item. */
export function grantAuditAppend(grantee: IGrantable, ledger: Table): void {
  grantKeyed(grantee, ledger, ["dynamodb:PutItem"], ["AUDIT#*"]);
}

/** GetItem on the ledger table for event records only (EVENT#): the projector reads what a retraction retracted. */
export function grantEventReads(grantee: IGrantable, ledger: Table): void {
  grantKeyed(grantee, ledger, ["dynamodb:GetItem"], ["EVENT#*"]);
}

/** Queries of people's chains (the projector's detectors read a person's recent entries for velocity). */
export function grantPeopleChainReads(grantee: IGrantable, ledger: Table): void {
  grantKeyed(grantee, ledger, ["dynamodb:Query"], ["CHAIN#person:*"]);
}

/** PutItem on the ledger table for review items as opened (REVIEWLOG#, the projector): the notifier reads them from the stream. */
export function grantReviewLog(grantee: IGrantable, ledger: Table): void {
  grantKeyed(grantee, ledger, ["dynamodb:PutItem"], ["REVIEWLOG#*"]);
}

/** Reads of the state table and its indexes, and writes of the key families the access names. */
export function grantState(grantee: IGrantable, state: Table, spec: TableSpec, access: StateAccess): void {
  if (access === "none") return;
  grantTable(grantee, state, spec, read);
  if (access === "read") return;
  grantKeyed(grantee, state, stateWrites, access.writes);
  if (access.removes) grantKeyed(grantee, state, ["dynamodb:DeleteItem"], access.removes);
}

/** Actions on items whose partition key matches one of the patterns (IAM dynamodb:LeadingKeys). */
function grantKeyed(grantee: IGrantable, table: Table, actions: readonly string[], leadingKeys: readonly string[]): void {
  Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [table.tableArn],
    conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...new Set(leadingKeys)] } },
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

/**
 * lambda:InvokeFunction on the function itself (its backtest jobs), in a policy of its own: in the
 * role's default policy it would make the function depend on its own ARN.
 */
export function grantSelfInvocation(fn: LaurelFunction): void {
  new Policy(fn, "SelfInvocation", {
    roles: [fn.role],
    statements: [new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [fn.function.functionArn] })],
  });
}
