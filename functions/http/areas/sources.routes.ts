/**
 * Routes of sources under four eyes (docs/SECURITY.md): a second admin approves a source change,
 * and admins dry-run sample events through a source or its change waiting for approval. Each
 * route's answer has its schema here.
 */
import * as z from "zod";
import { SourceInput } from "../../../domain/awards/index.ts";
import { ApprovalRequest, Id } from "../../../domain/kernel/schemas.ts";
import { defineRoute } from "../route.ts";

const SourceParams = z.strictObject({ sourceId: Id });

/** A source as admins see it: never a secret, only who created each and until when it works. */
export const SourceAnswer = SourceInput.extend({
  sourceId: z.string(),
  version: z.number().int().min(1),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
  approvedBy: z.string().optional(),
  secrets: z.array(
    z.strictObject({
      secretId: z.string(),
      createdAt: z.iso.datetime(),
      createdBy: z.string().optional(),
      expiresAt: z.iso.datetime().optional(),
    }),
  ),
}).meta({ id: "SourceAnswer" });
export const ApproveSourceAnswer = SourceAnswer;

const SourceProposal = z.object({
  id: z.string(),
  proposal: z.number().int().min(1),
  basedOn: z.number().int().min(0),
  proposedAt: z.iso.datetime(),
  proposedBy: z.string(),
  definition: SourceInput,
});

/**
 * GET /admin/sources/{sourceId} (declared in routes.ts): the source and the change waiting for
 * approval; a source only proposed so far is version 0 with its proposal.
 */
export const GetSourceAnswer = z
  .union([
    SourceAnswer.extend({ pending: SourceProposal.optional() }),
    z.object({ id: z.string(), version: z.literal(0), pending: SourceProposal }),
  ])
  .meta({ id: "GetSourceAnswer" });

export const SourceDryRunRequest = z
  .strictObject({
    /** CloudEvents as the source would send them; nothing is signed, nothing is written. */
    events: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
    /** Send them through the change waiting for approval instead of the current version. */
    pending: z.boolean().optional(),
  })
  .meta({ id: "SourceDryRunRequest" });

const Award = z.object({
  personId: z.string(),
  entryId: z.string(),
  asset: z.string(),
  amount: z.number().int().positive(),
  kind: z.enum(["award", "reversal"]),
  ruleId: z.string().optional(),
  ruleVersion: z.number().int().optional(),
  reason: z.string(),
});

/** Each event's answer as the webhook would give it. */
export const SourceDryRunAnswer = z
  .object({
    source: z.object({ sourceId: z.string(), version: z.number().int().min(1) }),
    results: z.array(
      z.discriminatedUnion("status", [
        z.object({
          id: z.string(),
          status: z.literal("accepted"),
          awards: z.array(Award),
          notes: z.array(z.string()).optional(),
          dryRun: z.literal(true),
        }),
        z.object({ id: z.string(), status: z.literal("duplicate"), awards: z.array(Award) }),
        z.object({
          id: z.string().nullable(),
          status: z.literal("rejected"),
          problem: z.looseObject({ type: z.string(), title: z.string(), status: z.number().int(), code: z.string(), detail: z.string() }),
        }),
      ]),
    ),
  })
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
    success: { status: 200, description: "The source with its new version, author and approver." },
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
    success: { status: 200, description: "One result per event, accepted ones marked dryRun." },
  }),
} as const;
