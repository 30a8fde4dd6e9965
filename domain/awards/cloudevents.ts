/**
 * CloudEvents 1.0 in JSON (structured mode): one event, or a batch of up to 100. The envelope
 * is checked here; each source's type list and data schemas are checked per event later.
 */
import { DomainError } from "../kernel/errors.ts";
import * as z from "../kernel/zod/index.ts";

export const maxBatchEvents = 100;
export const retractionType = "laurel.event.retracted";

export const CloudEvent = z
  .strictObject({
    specversion: z.literal("1.0", { error: 'specversion must be "1.0"' }),
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    source: z.string().check(z.minLength(1), z.maxLength(500)),
    type: z.string().check(z.minLength(1), z.maxLength(200)),
    subject: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    time: z.iso.datetime({ offset: true, error: "time must be an RFC 3339 timestamp" }),
    datacontenttype: z.optional(z.literal("application/json")),
    dataschema: z.optional(z.string().check(z.maxLength(500))),
    data: z._default(z.record(z.string(), z.unknown()), {}),
  })
  .register(z.globalRegistry, { id: "CloudEvent" });
export type CloudEvent = z.infer<typeof CloudEvent>;

export const RetractionData = z.strictObject({
  eventId: z.string().check(z.minLength(1), z.maxLength(200)),
  reason: z.optional(z.string().check(z.maxLength(500))),
});

/** The events of a request body, or a 400/413 for the whole request. */
export function eventsOf(body: unknown, batch: boolean): unknown[] {
  if (!batch) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new DomainError(
        "invalid",
        "not-an-event",
        "The body must be one CloudEvent object; send a batch as application/cloudevents-batch+json.",
      );
    }
    return [body];
  }
  if (!Array.isArray(body)) throw new DomainError("invalid", "not-a-batch", "A batch must be a JSON array of CloudEvents.");
  if (body.length === 0) throw new DomainError("invalid", "empty-batch", "A batch must hold at least one event.");
  if (body.length > maxBatchEvents) {
    throw new DomainError(
      "too-large",
      "batch-too-large",
      `A batch may hold at most ${maxBatchEvents} events; this one has ${body.length}.`,
      {
        limit: maxBatchEvents,
        count: body.length,
      },
    );
  }
  return body;
}
