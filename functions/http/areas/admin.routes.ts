/**
 * Routes of the admin function's directory (people, org units, provisioning clients, DingTalk's
 * contact changes), of sources (registered, changed under four eyes, their secrets rotated), award
 * rules and badges. Its SCIM and review routes are in scim.routes.ts and integrity.routes.ts.
 */
import { BadgeDefinition, RotateSecretInput, RuleDefinition, SourceInput } from "../../../domain/awards/index.ts";
import { BacktestRequest } from "../../../domain/backtests/index.ts";
import { OrgUnitInput, PersonReplacement } from "../../../domain/directory/index.ts";
import { ApprovalRequest, Id, PeopleDryRunRequest } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { DingTalkCallbackAnswer, OrgUnit, OrgUnits, People, Person, ProvisionerCredential } from "../answers/directory.ts";
import {
  BacktestJobList,
  BacktestReport,
  BadgeDryRunAnswer,
  BadgeList,
  BadgeProposal,
  BadgeRead,
  BadgeVersion,
  backtestJobAnswer,
  DryRunAnswer,
  RuleList,
  RuleProposal,
  RuleRead,
  RuleVersion,
} from "../answers/rules.ts";
import { csv, definitionRead, pendingChange, SourceView, SourceWithSecret, sourceSecrets } from "../answers.ts";
import { defineRoute } from "../route.ts";

const PersonParams = z.strictObject({ personId: Id });
const SourceParams = z.strictObject({ sourceId: Id });
const RuleParams = z.strictObject({ ruleId: Id });
const BadgeParams = z.strictObject({ badgeId: Id });

/**
 * GET /admin/sources/{sourceId}: the source (its secrets without their values) and the change
 * waiting for approval; a source only proposed so far is version 0 with its proposal.
 */
export const SourceRead = definitionRead(SourceInput, sourceSecrets).register(z.globalRegistry, { id: "SourceRead" });
/** 202 from PUT /admin/sources/{sourceId}: the change waits for a second admin. */
export const SourceProposal = pendingChange(SourceInput).register(z.globalRegistry, { id: "SourceProposal" });

export const DryRunRequest = z
  .strictObject({
    events: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1), z.maxLength(100)),
    states: z.optional(z.record(Id, z.unknown())),
    /** Evaluate the change waiting for approval instead of the current version. */
    pending: z.optional(z.boolean()),
  })
  .register(z.globalRegistry, { id: "RuleDryRunRequest" });

const JobParams = z.strictObject({ ruleId: Id, backtestId: z.uuid() });

export const adminRoutes = {
  putPerson: defineRoute({
    method: "PUT",
    path: "/admin/people/{personId}",
    area: "admin",
    auth: "token",
    problems: ["forbidden", "identity-taken", "org-unit-unknown", "version-mismatch"],
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
    problems: ["forbidden"],
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
    problems: ["forbidden", "person-not-found"],
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
    problems: ["forbidden", "person-not-found"],
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
    problems: ["lead-unknown", "org-unit-cycle", "org-unit-parent-unknown", "org-unit-without-parent"],
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
  putRule: defineRoute({
    method: "PUT",
    path: "/admin/rules/{ruleId}",
    area: "admin",
    auth: "token",
    problems: ["definition-changed", "forbidden", "version-mismatch"],
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
    problems: ["definition-changed", "forbidden", "no-pending-change", "proposal-changed", "rule-not-found", "self-approval"],
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
    problems: ["forbidden", "rule-not-found"],
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
    problems: ["backtest-too-long", "forbidden", "invalid-period"],
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
    problems: ["badge-criterion-unknown-rule", "definition-changed", "forbidden", "version-mismatch"],
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
    problems: ["badge-not-found", "definition-changed", "forbidden", "no-pending-change", "proposal-changed", "self-approval"],
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
    problems: ["badge-not-found", "forbidden"],
    summary: "A badge definition, current version, and the change waiting for approval if any (admin).",
    params: BadgeParams,
    etag: true,
    success: { status: 200, description: "The badge.", schema: BadgeRead },
  }),
  dryRunBadge: defineRoute({
    method: "POST",
    path: "/admin/badges/{badgeId}/dry-run",
    area: "admin",
    auth: "token",
    problems: ["badge-not-found", "forbidden"],
    summary:
      "Who would hold which level of a badge (the current version, or with pending: true the change waiting for approval): its levels evaluated on chosen people's points and rule counts now, writing nothing (admin).",
    params: BadgeParams,
    body: PeopleDryRunRequest,
    success: {
      status: 200,
      description: "Each person's levels held, justified and to be reached, and the holders per level.",
      schema: BadgeDryRunAnswer,
    },
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
  putSource: defineRoute({
    method: "PUT",
    path: "/admin/sources/{sourceId}",
    area: "admin",
    auth: "token",
    problems: ["data-schema-invalid", "definition-changed", "forbidden", "version-mismatch"],
    summary:
      "Register or change a source. A new source's signing secret is in this answer only; under four eyes the change is a proposal answered 202 until a second admin approves it, and an approved new source has no secret until an admin asks for one (admin).",
    params: SourceParams,
    body: SourceInput,
    etag: true,
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
    problems: ["forbidden", "source-not-found"],
    summary: "A source, without its secrets, and the change waiting for approval if any (admin).",
    params: SourceParams,
    etag: true,
    success: { status: 200, description: "The source; version 0 when only proposed.", schema: SourceRead },
  }),
  rotateSourceSecret: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/secrets",
    area: "admin",
    auth: "token",
    problems: ["source-not-found"],
    summary: "A new signing secret; the current ones stay valid for overlapHours (admin).",
    params: SourceParams,
    body: RotateSecretInput,
    success: { status: 201, description: "The new secret, shown this once.", schema: SourceWithSecret },
  }),
  approveSource: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/approval",
    area: "admin",
    auth: "token",
    problems: ["definition-changed", "forbidden", "no-pending-change", "proposal-changed", "self-approval", "source-not-found"],
    summary:
      "Approve the source change waiting for a second admin; its author cannot. An approved new source has no secret until an admin asks for one (admin).",
    params: SourceParams,
    body: ApprovalRequest,
    etag: true,
    success: { status: 200, description: "The source with its new version, author and approver.", schema: SourceView },
  }),
  backtests: defineRoute({
    method: "GET",
    path: "/admin/rules/{ruleId}/backtests",
    area: "admin",
    auth: "token",
    problems: ["forbidden", "invalid-cursor"],
    summary:
      "A rule's backtests run as jobs, newest first, a page at a time: each with its status, percent done, period, who started it and when, and when it finished or was cancelled; no reports (admin).",
    params: RuleParams,
    query: z.strictObject({
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
      cursor: z.optional(z.string().check(z.maxLength(1000))),
    }),
    success: {
      status: 200,
      description: "A page of the rule's jobs and the cursor of the next (null on the last).",
      schema: BacktestJobList,
    },
  }),
  backtestJob: defineRoute({
    method: "GET",
    path: "/admin/rules/{ruleId}/backtests/{backtestId}",
    area: "admin",
    auth: "token",
    problems: ["backtest-not-found", "forbidden"],
    summary:
      "A backtest run as a job: running (percent done, events replayed, an estimate of the seconds left), done (with its report; CSV with Accept: text/csv), failed or cancelled (admin).",
    params: JobParams,
    success: { status: 200, description: "The job as it stands.", schema: backtestJobAnswer, alternatives: csv },
  }),
  cancelBacktest: defineRoute({
    method: "DELETE",
    path: "/admin/rules/{ruleId}/backtests/{backtestId}",
    area: "admin",
    auth: "token",
    problems: ["backtest-not-found", "forbidden"],
    summary: "Cancel a running backtest job: it stops within seconds, cancelled; a finished one stays as it is (admin).",
    params: JobParams,
    success: { status: 200, description: "The job, its cancellation asked for.", schema: backtestJobAnswer },
  }),
} as const;
