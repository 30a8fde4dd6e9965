/** The routes of the HTTP API. Handlers implement them per area (functions/<area>.ts). */
import * as z from "zod";
import { AwardRequest, DeductionRequest, LedgerPageQuery, ReversalRequest } from "../../domain/accounts/index.ts";
import {
  BadgeDefinition,
  CloudEvent,
  maxBatchEvents,
  maxWebhookBodyBytes,
  RotateSecretInput,
  RuleDefinition,
  SourceInput,
} from "../../domain/awards/index.ts";
import { BacktestRequest } from "../../domain/backtests/index.ts";
import { OrgUnitInput, PersonReplacement } from "../../domain/directory/index.ts";
import { ApprovalRequest, Id } from "../../domain/kernel/schemas.ts";
import {
  BacktestReport,
  BadgeCredentials,
  BadgeList,
  BadgeProposal,
  BadgeRead,
  BadgeVersion,
  Balances,
  csv,
  DingTalkCallbackAnswer,
  DryRunAnswer,
  EventResult,
  Health,
  LedgerPage,
  LedgerWrite,
  OpenApiDocument,
  OrgUnit,
  OrgUnits,
  People,
  Person,
  ProvisionerCredential,
  RuleList,
  RuleProposal,
  RuleRead,
  RuleVersion,
  SourceWithSecret,
  WebhookAnswer,
} from "./answers.ts";
import { backtestJobAnswer, backtestRoutes } from "./areas/backtests.routes.ts";
import { badgesRoutes } from "./areas/badges.routes.ts";
import { bountiesRoutes } from "./areas/bounties.routes.ts";
import { eligibilityRoutes } from "./areas/eligibility.routes.ts";
import { fundRoutes } from "./areas/fund.routes.ts";
import { heldAwardRoutes } from "./areas/held-awards.routes.ts";
import { importsRoutes } from "./areas/imports.routes.ts";
import { integrityRoutes } from "./areas/integrity.routes.ts";
import { leaderboardRoutes } from "./areas/leaderboard.routes.ts";
import { notificationsRoutes } from "./areas/notifications.routes.ts";
import { scimRoutes } from "./areas/scim.routes.ts";
import { signInRoutes } from "./areas/sign-in.routes.ts";
import { GetSourceAnswer, SourceProposal, sourcesRoutes } from "./areas/sources.routes.ts";
import { defineRoute } from "./route.ts";

const PersonParams = z.strictObject({ personId: Id });
const SourceParams = z.strictObject({ sourceId: Id });
const RuleParams = z.strictObject({ ruleId: Id });
const BadgeParams = z.strictObject({ badgeId: Id });

export const DryRunRequest = z
  .strictObject({
    events: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
    states: z.record(Id, z.unknown()).optional(),
    /** Evaluate the change waiting for approval instead of the current version. */
    pending: z.boolean().optional(),
  })
  .meta({ id: "RuleDryRunRequest" });
export const RetractionRequest = z.strictObject({ reason: z.string().trim().min(1).max(500) }).meta({ id: "RetractionRequest" });

const coreRoutes = {
  health: defineRoute({
    method: "GET",
    path: "/health",
    area: "public",
    auth: "public",
    summary: "Liveness: answers when the API is up.",
    success: { status: 200, description: "The API is up.", schema: Health },
  }),
  openapi: defineRoute({
    method: "GET",
    path: "/openapi.json",
    area: "public",
    auth: "public",
    summary: "This API's OpenAPI 3.1 document, generated from its zod schemas.",
    success: { status: 200, description: "The OpenAPI document.", schema: OpenApiDocument },
  }),
  problem: defineRoute({
    method: "GET",
    path: "/problems/{code}",
    area: "public",
    auth: "public",
    summary: "What a problem code means, in Chinese and English: where a problem's `type` leads.",
    params: z.strictObject({ code: z.string().max(64) }),
    success: { status: 200, description: "A page explaining the problem.", alternatives: { "text/html": { schema: { type: "string" } } } },
  }),
  award: defineRoute({
    method: "POST",
    path: "/awards",
    area: "ledger",
    auth: "token",
    summary: "Award coins, points (with a capability) or a badge level to a person (admin).",
    body: AwardRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The entries written and the person's balances after them.", schema: LedgerWrite },
  }),
  deduct: defineRoute({
    method: "POST",
    path: "/deductions",
    area: "ledger",
    auth: "token",
    summary: "A penalty taking coins or points from a person, never below zero (admin).",
    body: DeductionRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The entries written and the person's balances after them.", schema: LedgerWrite },
  }),
  reverse: defineRoute({
    method: "POST",
    path: "/ledger/{entryId}/reversal",
    area: "ledger",
    auth: "token",
    summary: "Reverse an entry with a reason; an entry is reversed at most once (admin).",
    params: z.strictObject({ entryId: z.string().max(100) }),
    body: ReversalRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The reversal entry and the person's balances after it.", schema: LedgerWrite },
  }),
  balances: defineRoute({
    method: "GET",
    path: "/people/{personId}/balances",
    area: "ledger",
    auth: "token",
    summary: "A person's coins, points (total and per capability) and badges.",
    params: PersonParams,
    success: { status: 200, description: "The person's balances.", schema: Balances },
  }),
  ledger: defineRoute({
    method: "GET",
    path: "/people/{personId}/ledger",
    area: "ledger",
    auth: "token",
    summary: "A person's ledger entries, newest first, a page at a time.",
    params: PersonParams,
    query: LedgerPageQuery,
    success: { status: 200, description: "A page of entries and the cursor of the next page, if any.", schema: LedgerPage },
  }),
  badgeCredentials: defineRoute({
    method: "GET",
    path: "/people/{personId}/badges/credentials",
    area: "ledger",
    auth: "token",
    summary:
      "A person's badge levels as Open Badges 3.0 credentials, each as JSON-LD and signed as VC-JWT; a revoked level has revokedAt, and its bit set in the status list it names.",
    params: PersonParams,
    success: { status: 200, description: "The credentials.", schema: BadgeCredentials },
  }),
  putPerson: defineRoute({
    method: "PUT",
    path: "/admin/people/{personId}",
    area: "admin",
    auth: "token",
    summary:
      "Create or replace a person in the directory (admin). Takes the person as GET answers it: read-only fields are ignored, but a version (or If-Match) other than the stored one is refused (412), so that two admins' edits never silently undo each other.",
    params: PersonParams,
    body: PersonReplacement,
    audit: "service",
    etag: true,
    success: { status: 200, description: "The person as stored.", schema: Person },
  }),
  issueProvisionerCredential: defineRoute({
    method: "POST",
    path: "/admin/provisioners/{clientId}/credentials",
    area: "admin",
    auth: "token",
    summary:
      "Issue a provisioning client (an HR system speaking SCIM) a new bearer credential, shown once; the previous one stays valid until the next rotation (admin).",
    params: z.strictObject({ clientId: Id }),
    success: { status: 201, description: "The client id, the credential id and the token.", schema: ProvisionerCredential },
  }),
  dingtalkCallback: defineRoute({
    method: "POST",
    path: "/integrations/dingtalk/callback",
    area: "admin",
    auth: "public",
    summary:
      "DingTalk's contact-change events (user and department added, modified, removed), signed and AES-encrypted as DingTalk does, applied to the directory; answers DingTalk's encrypted success.",
    query: z.record(z.string(), z.string()),
    rawBody: { maxBytes: 64 * 1024 },
    credential: "dingtalkSignature",
    audit: "service",
    success: { status: 200, description: "DingTalk's encrypted success answer.", schema: DingTalkCallbackAnswer },
  }),
  deactivatePerson: defineRoute({
    method: "POST",
    path: "/admin/people/{personId}/deactivation",
    area: "admin",
    auth: "token",
    summary: "The person left: their wallet is frozen (no awards, redemptions, claims or bounties), balances and history kept (admin).",
    params: PersonParams,
    audit: "service",
    success: { status: 200, description: "The person, with the time they left.", schema: Person },
  }),
  reactivatePerson: defineRoute({
    method: "POST",
    path: "/admin/people/{personId}/reactivation",
    area: "admin",
    auth: "token",
    summary: "The person is back: their wallet thaws (admin).",
    params: PersonParams,
    audit: "service",
    success: { status: 200, description: "The person, active again.", schema: Person },
  }),
  getPerson: defineRoute({
    method: "GET",
    path: "/admin/people/{personId}",
    area: "admin",
    auth: "token",
    summary: "A person in the directory (admin, hr), with an ETag of their version.",
    params: PersonParams,
    etag: true,
    success: { status: 200, description: "The person.", schema: Person },
  }),
  putOrgUnit: defineRoute({
    method: "PUT",
    path: "/admin/org-units/{orgUnitId}",
    area: "admin",
    auth: "token",
    summary: "Create or replace an org unit in the tree (admin).",
    params: z.strictObject({ orgUnitId: Id }),
    body: OrgUnitInput,
    audit: "service",
    success: { status: 200, description: "The org unit as stored.", schema: OrgUnit },
  }),
  orgUnitPeople: defineRoute({
    method: "GET",
    path: "/org-units/{orgUnitId}/people",
    area: "admin",
    auth: "token",
    summary: "The people of an org unit and every unit below it (its leads and those above them; hr, admin).",
    params: z.strictObject({ orgUnitId: Id }),
    success: { status: 200, description: "The people, with their unit and tier.", schema: People },
  }),
  orgUnits: defineRoute({
    method: "GET",
    path: "/org-units",
    area: "admin",
    auth: "token",
    summary: "The org tree (any signed-in user).",
    success: { status: 200, description: "Every org unit.", schema: OrgUnits },
  }),
  webhook: defineRoute({
    method: "POST",
    path: "/webhooks/{sourceId}",
    area: "webhooks",
    auth: "public",
    summary:
      "Achievement events from a source: one CloudEvent (application/cloudevents+json) or a batch of up to 100 (application/cloudevents-batch+json), signed per Standard Webhooks.",
    params: SourceParams,
    query: z.strictObject({ dryRun: z.enum(["true", "false"]).optional() }),
    rawBody: { maxBytes: maxWebhookBodyBytes },
    credential: "webhookSignature",
    rawContent: {
      "application/cloudevents+json": CloudEvent,
      "application/cloudevents-batch+json": z.array(CloudEvent).min(1).max(maxBatchEvents).meta({ id: "CloudEventBatch" }),
    },
    success: {
      status: 200,
      description:
        "One result per event: accepted (with awards), duplicate (with the original awards), held for a review (kept, posted or rejected when it is decided) or rejected (with a problem). 202: every event of the request is held.",
      schema: WebhookAnswer,
      pending: WebhookAnswer,
    },
  }),
  retractEvent: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/events/{eventId}/retraction",
    area: "webhooks",
    auth: "token",
    summary: "Retract a source's event on its behalf: every award it caused is reversed and its rule progress undone (admin).",
    params: z.strictObject({ sourceId: Id, eventId: z.string().min(1).max(200) }),
    body: RetractionRequest,
    idempotencyKey: true,
    success: { status: 200, description: "The retraction's result: the reversal entries written.", schema: EventResult },
  }),
  putSource: defineRoute({
    method: "PUT",
    path: "/admin/sources/{sourceId}",
    area: "admin",
    auth: "token",
    summary:
      "Register or change a source. A new source's signing secret is in this answer only; under four eyes the change is a proposal answered 202 until a second admin approves it, and an approved new source has no secret until an admin asks for one (admin).",
    params: SourceParams,
    body: SourceInput,
    success: {
      status: 200,
      description: "The source; `secret` only when it was just created (202: the proposal waiting for approval).",
      schema: SourceWithSecret,
      pending: SourceProposal,
    },
  }),
  getSource: defineRoute({
    method: "GET",
    path: "/admin/sources/{sourceId}",
    area: "admin",
    auth: "token",
    summary: "A source, without its secrets, and the change waiting for approval if any (admin).",
    params: SourceParams,
    success: { status: 200, description: "The source; version 0 when only proposed.", schema: GetSourceAnswer },
  }),
  rotateSourceSecret: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/secrets",
    area: "admin",
    auth: "token",
    summary: "A new signing secret; the current ones stay valid for overlapHours (admin).",
    params: SourceParams,
    body: RotateSecretInput,
    success: { status: 201, description: "The new secret, shown this once.", schema: SourceWithSecret },
  }),
  putRule: defineRoute({
    method: "PUT",
    path: "/admin/rules/{ruleId}",
    area: "admin",
    auth: "token",
    summary:
      "Define or change an award rule; each change is a new version, or, under four eyes, a proposal answered 202 until a second admin approves it (admin).",
    params: RuleParams,
    body: RuleDefinition,
    etag: true,
    success: {
      status: 200,
      description: "The rule with its new version (202: the proposal waiting for approval).",
      schema: RuleVersion,
      pending: RuleProposal,
    },
  }),
  approveRule: defineRoute({
    method: "POST",
    path: "/admin/rules/{ruleId}/approval",
    area: "admin",
    auth: "token",
    summary: "Approve the rule change waiting for a second admin; its author cannot (admin).",
    params: RuleParams,
    body: ApprovalRequest,
    etag: true,
    success: { status: 200, description: "The rule with its new version, author and approver.", schema: RuleVersion },
  }),
  getRule: defineRoute({
    method: "GET",
    path: "/admin/rules/{ruleId}",
    area: "admin",
    auth: "token",
    summary: "An award rule, current version, and the change waiting for approval if any (admin).",
    params: RuleParams,
    etag: true,
    success: { status: 200, description: "The rule.", schema: RuleRead },
  }),
  dryRunRule: defineRoute({
    method: "POST",
    path: "/admin/rules/{ruleId}/dry-run",
    area: "admin",
    auth: "token",
    summary:
      "Evaluate sample events against a rule (the current version, or with pending: true the change waiting for approval) without writing anything (admin).",
    params: RuleParams,
    body: DryRunRequest,
    success: { status: 200, description: "The grants each event would make.", schema: DryRunAnswer },
  }),
  backtestRule: defineRoute({
    method: "POST",
    path: "/admin/rules/{ruleId}/backtests",
    area: "admin",
    auth: "token",
    summary:
      "Replay a period's kept events with a draft of the rule swapped in, writing nothing: coins and points per org unit and capability that would have been awarded against what was, and the change in coins outstanding; JSON, or CSV with Accept: text/csv (admin).",
    params: RuleParams,
    body: BacktestRequest,
    success: {
      status: 200,
      description: "The comparison; 202: a replay longer than 31 days runs as a job, followed at GET …/backtests/{backtestId}.",
      schema: BacktestReport,
      alternatives: csv,
      pending: backtestJobAnswer,
    },
  }),
  putBadge: defineRoute({
    method: "PUT",
    path: "/admin/badges/{badgeId}",
    area: "admin",
    auth: "token",
    summary: "Define or change a badge and its levels; each change is a new version, or under four eyes a proposal (202) (admin).",
    params: BadgeParams,
    body: BadgeDefinition,
    etag: true,
    success: {
      status: 200,
      description: "The badge with its new version (202: the proposal waiting for approval).",
      schema: BadgeVersion,
      pending: BadgeProposal,
    },
  }),
  approveBadge: defineRoute({
    method: "POST",
    path: "/admin/badges/{badgeId}/approval",
    area: "admin",
    auth: "token",
    summary: "Approve the badge change waiting for a second admin; its author cannot (admin).",
    params: BadgeParams,
    body: ApprovalRequest,
    etag: true,
    success: { status: 200, description: "The badge with its new version, author and approver.", schema: BadgeVersion },
  }),
  getBadge: defineRoute({
    method: "GET",
    path: "/admin/badges/{badgeId}",
    area: "admin",
    auth: "token",
    summary: "A badge definition (admin).",
    params: BadgeParams,
    etag: true,
    success: { status: 200, description: "The badge.", schema: BadgeRead },
  }),
  rules: defineRoute({
    method: "GET",
    path: "/rules",
    area: "admin",
    auth: "token",
    summary: "How to earn coins and points: every rule's name, award and trigger, without its conditions (any signed-in user).",
    success: { status: 200, description: "The rules.", schema: RuleList },
  }),
  badges: defineRoute({
    method: "GET",
    path: "/badges",
    area: "admin",
    auth: "token",
    summary: "Every badge with its levels and how to earn them (any signed-in user).",
    success: { status: 200, description: "The badges.", schema: BadgeList },
  }),
} as const;

/**
 * Every route. Areas added later keep their specs in functions/http/<area>.routes.ts and are spread
 * in here, one line each.
 */
export const routes = {
  ...coreRoutes,
  ...fundRoutes,
  ...eligibilityRoutes,
  ...leaderboardRoutes,
  ...bountiesRoutes,
  ...importsRoutes,
  ...signInRoutes,
  ...scimRoutes,
  ...badgesRoutes,
  ...notificationsRoutes,
  ...sourcesRoutes,
  ...integrityRoutes,
  ...heldAwardRoutes,
  ...backtestRoutes,
} as const;

export type RouteId = keyof typeof routes;
