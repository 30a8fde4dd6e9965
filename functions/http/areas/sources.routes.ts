/**
 * Routes of sources under four eyes (docs/SECURITY.md): a second admin approves a source change,
 * and admins dry-run sample events through a source or its change waiting for approval. Each
 * route's answer has its schema here.
 */
import * as z from "zod";
import { SourceInput } from "../../../domain/awards/index.ts";
import { ApprovalRequest, Id } from "../../../domain/kernel/schemas.ts";
import { EventResult, pendingChange, proposalView, SourceView } from "../answers.ts";
import { defineRoute } from "../route.ts";

const SourceParams = z.strictObject({ sourceId: Id });

/**
 * GET /admin/sources/{sourceId} (declared in routes.ts): the source and the change waiting for
 * approval; a source only proposed so far is version 0 with its proposal.
 */
export const GetSourceAnswer = z
  .union([
    SourceView.extend({ pending: proposalView(SourceInput).optional() }),
    z.strictObject({ id: z.string(), version: z.literal(0), pending: proposalView(SourceInput) }),
  ])
  .meta({ id: "GetSourceAnswer" });
/** 202 from PUT /admin/sources/{sourceId}: the change waits for a second admin. */
export const SourceProposal = pendingChange(SourceInput).meta({ id: "SourceProposal" });

export const SourceDryRunRequest = z
  .strictObject({
    /** CloudEvents as the source would send them; nothing is signed, nothing is written. */
    events: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
    /** Send them through the change waiting for approval instead of the current version. */
    pending: z.boolean().optional(),
  })
  .meta({ id: "SourceDryRunRequest" });

/** Each event's answer as the webhook would give it. */
export const SourceDryRunAnswer = z
  .strictObject({ source: z.strictObject({ sourceId: z.string(), version: z.number().int().min(1) }), results: z.array(EventResult) })
  .meta({ id: "SourceDryRunAnswer" });

export const sourcesRoutes = {
  approveSource: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/approval",
    area: "admin",
    auth: "token",
    summary:
      "Approve the source change waiting for a second admin; its author cannot. An approved new source has no secret until an admin asks for one (admin).",
    params: SourceParams,
    body: ApprovalRequest,
    success: { status: 200, description: "The source with its new version, author and approver.", schema: SourceView },
  }),
  dryRunSource: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/dry-run",
    area: "webhooks",
    auth: "token",
    summary:
      "Send sample events through a source (the current version, or with pending: true the change waiting for approval) and its rules, unsigned and writing nothing: each event's answer as the webhook would give it (admin).",
    params: SourceParams,
    body: SourceDryRunRequest,
    success: { status: 200, description: "One result per event, accepted ones marked dryRun.", schema: SourceDryRunAnswer },
  }),
} as const;
