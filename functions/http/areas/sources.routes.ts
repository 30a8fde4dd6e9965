/**
 * Routes of sources and their events: the webhook that takes a source's events and the retraction
 * of one (the webhooks function); a source registered, changed under four eyes (docs/SECURITY.md:
 * a second admin approves), its secrets rotated (the admin function); sample events dry-run
 * through a source or its change waiting for approval (the webhooks function). Answers of their
 * own have their schema here.
 */
import * as z from "zod";
import { CloudEvent, maxBatchEvents, maxWebhookBodyBytes, RotateSecretInput, SourceInput } from "../../../domain/awards/index.ts";
import { ApprovalRequest, Id } from "../../../domain/kernel/schemas.ts";
import { EventResult, pendingChange, proposalView, SourceView, SourceWithSecret, WebhookAnswer } from "../answers.ts";
import { defineRoute } from "../route.ts";

const SourceParams = z.strictObject({ sourceId: Id });

/**
 * GET /admin/sources/{sourceId}: the source and the change waiting for
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

export const RetractionRequest = z.strictObject({ reason: z.string().trim().min(1).max(500) }).meta({ id: "RetractionRequest" });

export const sourcesRoutes = {
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
      description: "One result per event: accepted (with awards), duplicate (with the original awards) or rejected (with a problem).",
      schema: WebhookAnswer,
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
