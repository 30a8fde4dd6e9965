/** Promotion-eligibility gates and checks (HR), and the audit trail (admin). */
import { GateDefinition, maxCandidates } from "../../../domain/gates/index.ts";
import { ApprovalRequest, Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { AuditPage, EligibilityChecks, GateList, GateProposal, GateRead, GateResult, GateVersion, Team } from "../answers/eligibility.ts";
import { csv } from "../answers.ts";
import { defineRoute } from "../route.ts";

const Day = z.iso.date({ error: "give a calendar day, YYYY-MM-DD" });
/** With asOf: "then" (default) counts what was recorded by that day; "now" also what was learnt since. */
const Known = z.enum(["then", "now"]);

export const eligibilityRoutes = {
  putGate: defineRoute({
    method: "PUT",
    path: "/admin/gates/{gateId}",
    area: "eligibility",
    auth: "token",
    problems: ["definition-changed", "forbidden", "gate-badge-unknown", "version-mismatch"],
    summary: "Define or change a promotion gate; each change is a new version, or under four eyes a proposal (202) (admin).",
    params: z.strictObject({ gateId: Id }),
    body: GateDefinition,
    etag: true,
    success: {
      status: 200,
      description: "The gate with its new version (202: the proposal waiting for approval).",
      schema: GateVersion,
      pending: GateProposal,
    },
  }),
  approveGate: defineRoute({
    method: "POST",
    path: "/admin/gates/{gateId}/approval",
    area: "eligibility",
    auth: "token",
    problems: ["definition-changed", "forbidden", "gate-not-found", "no-pending-change", "proposal-changed", "self-approval"],
    summary: "Approve the gate change waiting for a second admin; its author cannot (admin).",
    params: z.strictObject({ gateId: Id }),
    body: ApprovalRequest,
    etag: true,
    success: { status: 200, description: "The gate with its new version, author and approver.", schema: GateVersion },
  }),
  getGate: defineRoute({
    method: "GET",
    path: "/admin/gates/{gateId}",
    area: "eligibility",
    auth: "token",
    problems: ["forbidden", "gate-not-found"],
    summary: "A promotion gate, current version, and the change waiting for approval if any (admin, hr).",
    params: z.strictObject({ gateId: Id }),
    etag: true,
    success: { status: 200, description: "The gate.", schema: GateRead },
  }),
  gates: defineRoute({
    method: "GET",
    path: "/gates",
    area: "eligibility",
    auth: "token",
    summary:
      "Every promotion gate, current version: which tier it is for and what it asks (any signed-in user: a manager sees what the next step needs).",
    success: { status: 200, description: "The gates.", schema: GateList },
  }),
  team: defineRoute({
    method: "GET",
    path: "/org-units/{orgUnitId}/team",
    area: "eligibility",
    auth: "token",
    problems: ["forbidden", "org-unit-not-found"],
    summary:
      "A team in one request: each member's coins, points and standing against the gate of their tier, in the org tree's order (a lead for the units they lead and below; hr, admin).",
    params: z.strictObject({ orgUnitId: Id }),
    success: { status: 200, description: "The unit, its units in tree order and the members the caller may see.", schema: Team },
  }),
  eligibility: defineRoute({
    method: "GET",
    path: "/people/{personId}/eligibility",
    area: "eligibility",
    auth: "token",
    problems: ["as-of-in-future", "forbidden", "gate-not-found", "gate-tier-mismatch", "person-not-found"],
    audit: "service",
    summary:
      "Is this person over the gate's threshold, now or as of the end of a past day (Asia/Shanghai), as known then (known=then, the default: reproduces a past decision) or with everything known now (known=now: imported history counts)? Every criterion explained (hr, admin; a manager for themselves and their teams).",
    params: z.strictObject({ personId: Id }),
    query: z.strictObject({ gate: Id, asOf: z.optional(Day), known: z.optional(Known) }),
    success: { status: 200, description: "eligible, and per criterion: required, actual, met, gap and evidence.", schema: GateResult },
  }),
  eligibilityChecks: defineRoute({
    method: "POST",
    path: "/eligibility-checks",
    area: "eligibility",
    auth: "token",
    problems: ["as-of-in-future", "forbidden"],
    audit: "service",
    summary: `A gate over up to ${maxCandidates} people or an org unit and below, optionally as of a day; JSON, or CSV with Accept: text/csv (hr, admin).`,
    body: z
      .strictObject({
        gateId: Id,
        personIds: z.optional(z.array(Id).check(z.minLength(1), z.maxLength(maxCandidates))),
        orgUnitId: z.optional(Id),
        asOf: z.optional(Day),
        known: z.optional(Known),
        /** A dry run of the gate change waiting for approval. */
        pending: z.optional(z.boolean()),
      })
      .check(
        z.refine((b) => (b.personIds === undefined) !== (b.orgUnitId === undefined), {
          message: "give either personIds or orgUnitId",
          path: ["personIds"],
        }),
      )
      .register(z.globalRegistry, { id: "EligibilityChecksRequest" }),
    success: {
      status: 200,
      description: "A result per person and a summary (how many eligible, the most common missing criterion).",
      schema: EligibilityChecks,
      alternatives: csv,
    },
  }),
  auditTrail: defineRoute({
    method: "GET",
    path: "/admin/audit",
    area: "eligibility",
    auth: "token",
    problems: ["forbidden", "invalid-cursor"],
    summary:
      "The audit trail of a day of the company's calendar (its time zone), newest first, a page at a time: every change by an admin, finance or an approver, and every eligibility check (admin).",
    query: z.strictObject({
      day: Day,
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
      cursor: z.optional(z.string().check(z.maxLength(300))),
    }),
    success: { status: 200, description: "The day's audit records, and a cursor to the next page (null on the last).", schema: AuditPage },
  }),
} as const;
