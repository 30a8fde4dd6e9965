/** Routes of notifications (area `notifications`): the bell, a person's preferences, channels and dead letters (admin). */
import { Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { ChannelInput, NotificationPreferencesInput } from "../../../domain/notifications/index.ts";
import { Bell, DeadLetters, NotificationChannel, NotificationChannels, NotificationPreferences, Replay } from "../answers/notifications.ts";
import { defineRoute } from "../route.ts";

const PersonParams = z.strictObject({ personId: Id });
const ChannelParams = z.strictObject({ channelId: Id });
const LetterParams = z.strictObject({ letterId: Id });

export const notificationsRoutes = {
  bell: defineRoute({
    method: "GET",
    path: "/people/{personId}/notifications",
    area: "notifications",
    auth: "token",
    problems: ["forbidden"],
    summary: "The caller's notifications of the last 30 days, newest first, each in Chinese and English (self only).",
    params: PersonParams,
    success: { status: 200, description: "The notifications and the caller's language.", schema: Bell },
  }),
  notificationPreferences: defineRoute({
    method: "GET",
    path: "/people/{personId}/notification-preferences",
    area: "notifications",
    auth: "token",
    problems: ["forbidden"],
    summary: "The caller's notification preferences: language, quiet hours, kinds opted out of (self only).",
    params: PersonParams,
    success: { status: 200, description: "The preferences (defaults when never set).", schema: NotificationPreferences },
  }),
  putNotificationPreferences: defineRoute({
    method: "PUT",
    path: "/people/{personId}/notification-preferences",
    area: "notifications",
    auth: "token",
    problems: ["forbidden"],
    summary:
      "Set the language of messages, quiet hours (messages wait until they end, company time zone) and the kinds the caller's DingTalk and group robots do not tell (self only).",
    params: PersonParams,
    body: NotificationPreferencesInput,
    success: { status: 200, description: "The preferences as stored.", schema: NotificationPreferences },
  }),
  putNotificationChannel: defineRoute({
    method: "PUT",
    path: "/admin/notification-channels/{channelId}",
    area: "notifications",
    auth: "token",
    problems: ["webhook-secret-required"],
    summary:
      "Subscribe a business system's webhook (CloudEvents signed with Standard Webhooks) or add a DingTalk or WeCom group robot, for some kinds of notice; the URL and secret are sealed and never shown again (admin).",
    params: ChannelParams,
    body: ChannelInput,
    success: { status: 200, description: "The channel, without its URL and secret.", schema: NotificationChannel },
  }),
  notificationChannels: defineRoute({
    method: "GET",
    path: "/admin/notification-channels",
    area: "notifications",
    auth: "token",
    problems: ["forbidden"],
    summary: "Every notification channel, without URLs and secrets (admin).",
    success: { status: 200, description: "The channels.", schema: NotificationChannels },
  }),
  notificationDeadLetters: defineRoute({
    method: "GET",
    path: "/admin/notification-dead-letters",
    area: "notifications",
    auth: "token",
    summary: "Deliveries given up after more than a day of retries, newest first, with the last error (admin).",
    success: { status: 200, description: "The dead letters, replayed ones marked.", schema: DeadLetters },
  }),
  replayNotification: defineRoute({
    method: "POST",
    path: "/admin/notification-dead-letters/{letterId}/replay",
    area: "notifications",
    auth: "token",
    problems: ["dead-letter-not-found"],
    summary: "Queue a dead letter's delivery again, with the same webhook-id and a fresh day of retries; once per letter (admin).",
    params: LetterParams,
    success: { status: 200, description: "The letter, replayed.", schema: Replay },
  }),
} as const;
