/**
 * Routes of the webhooks function: a source's events, one of them retracted, and sample events
 * dry-run through a source or its change waiting for approval (four eyes, docs/SECURITY.md).
 * Answers of their own have their schema here.
 */
import { CloudEvent, maxBatchEvents, maxWebhookBodyBytes } from "../../../domain/awards/index.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { EventResult, WebhookAnswer } from "../answers.ts";
import { defineRoute } from "../route.ts";

const SourceParams = z.strictObject({ sourceId: Id });

export const SourceDryRunRequest = z
  .strictObject({
    /** CloudEvents as the source would send them; nothing is signed, nothing is written. */
    events: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1), z.maxLength(100)),
    /** Send them through the change waiting for approval instead of the current version. */
    pending: z.optional(z.boolean()),
  })
  .register(z.globalRegistry, { id: "SourceDryRunRequest" });

/** Each event's answer as the webhook would give it. */
export const SourceDryRunAnswer = z
  .strictObject({
    source: z.strictObject({ sourceId: z.string(), version: z.number().check(z.int(), z.gte(1)) }),
    results: z.array(EventResult),
  })
  .register(z.globalRegistry, { id: "SourceDryRunAnswer" });

export const RetractionRequest = z
  .strictObject({ reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) })
  .register(z.globalRegistry, { id: "RetractionRequest" });

export const webhooksRoutes = {
  webhook: defineRoute({
    method: "POST",
    path: "/webhooks/{sourceId}",
    area: "webhooks",
    auth: "public",
    problems: ["batch-too-large", "malformed-json", "not-a-batch", "not-an-event", "unsupported-media-type"],
    summary:
      "Achievement events from a source: one CloudEvent (application/cloudevents+json) or a batch of up to 100 (application/cloudevents-batch+json), signed per Standard Webhooks.",
    params: SourceParams,
    query: z.strictObject({ dryRun: z.optional(z.enum(["true", "false"])) }),
    rawBody: { maxBytes: maxWebhookBodyBytes },
    credential: "webhookSignature",
    rawContent: {
      "application/cloudevents+json": CloudEvent,
      "application/cloudevents-batch+json": z
        .array(CloudEvent)
        .check(z.minLength(1), z.maxLength(maxBatchEvents))
        .register(z.globalRegistry, { id: "CloudEventBatch" }),
    },
    success: {
      status: 200,
      description:
        "One result per event: accepted (with awards), duplicate (with the original awards), held for a review or an approval (kept, posted or rejected when it is decided) or rejected (with a problem). 202: every event of the request is held.",
      schema: WebhookAnswer,
      pending: WebhookAnswer,
    },
  }),
  retractEvent: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/events/{eventId}/retraction",
    area: "webhooks",
    auth: "token",
    problems: ["already-retracted", "event-unknown", "forbidden", "insufficient-balance", "self-reversal"],
    summary: "Retract a source's event on its behalf: every award it caused is reversed and its rule progress undone (admin).",
    params: z.strictObject({ sourceId: Id, eventId: z.string().check(z.minLength(1), z.maxLength(200)) }),
    body: RetractionRequest,
    idempotencyKey: true,
    success: { status: 200, description: "The retraction's result: the reversal entries written.", schema: EventResult },
  }),
  dryRunSource: defineRoute({
    method: "POST",
    path: "/admin/sources/{sourceId}/dry-run",
    area: "webhooks",
    auth: "token",
    problems: ["forbidden"],
    summary:
      "Send sample events through a source (the current version, or with pending: true the change waiting for approval) and its rules, unsigned and writing nothing: each event's answer as the webhook would give it (admin).",
    params: SourceParams,
    body: SourceDryRunRequest,
    success: { status: 200, description: "One result per event, accepted ones marked dryRun.", schema: SourceDryRunAnswer },
  }),
} as const;
