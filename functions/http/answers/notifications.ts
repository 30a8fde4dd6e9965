/** Answers of notices, channels, preferences and dead letters (the notifications function). */
import * as z from "../../../domain/kernel/zod/index.ts";
import { channelKinds, noticeKinds } from "../../../domain/notifications/index.ts";
import { Count, Instant } from "../answers.ts";

const Language = z.enum(["zh", "en"]);
const Message = z.strictObject({ title: z.string(), text: z.string() });
export const Bell = z.strictObject({
  personId: z.string(),
  since: Instant,
  language: Language,
  items: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.enum(noticeKinds),
      at: Instant,
      colour: z.optional(z.string()),
      zh: Message,
      en: Message,
    }),
  ),
});
export const NotificationPreferences = z.strictObject({
  language: Language,
  quietHours: z.nullable(z.strictObject({ from: z.string(), until: z.string() })),
  optOut: z.array(z.enum(noticeKinds)),
});
export const NotificationChannel = z
  .strictObject({
    channelId: z.string(),
    kind: z.enum(channelKinds),
    kinds: z.array(z.enum(noticeKinds)),
    language: Language,
    active: z.boolean(),
    updatedAt: Instant,
  })
  .register(z.globalRegistry, { id: "NotificationChannel" });
export const NotificationChannels = z.strictObject({ items: z.array(NotificationChannel) });
const Notice = z.strictObject({
  personId: z.string(),
  causeId: z.string(),
  at: Instant,
  /** What happened, by kind (a badge, an award, a penalty, a claim's step, a redemption). */
  data: z.looseObject({ kind: z.enum(noticeKinds) }),
});
export const DeadLetters = z.strictObject({
  items: z.array(
    z.strictObject({
      letterId: z.string(),
      delivery: z.strictObject({ deliveryId: z.string(), channelId: z.string(), notice: Notice, since: z.optional(Instant) }),
      attempts: Count,
      lastError: z.string(),
      at: Instant,
      replayedAt: z.optional(Instant),
    }),
  ),
});
export const Replay = z.strictObject({ letterId: z.string(), replayedAt: Instant, deliveryId: z.string() });
