/**
 * Where notices go: the person's own DingTalk work notifications, group robots (DingTalk, WeCom)
 * and business systems' webhook subscriptions. Each notice becomes one delivery per channel,
 * retried on its own, with an id that stays the same across retries (the `webhook-id`).
 */
import { createHash } from "node:crypto";
import { groupKinds } from "./messages.ts";
import type { Notice, NoticeKind } from "./notices.ts";

export const channelKinds = ["webhook", "dingtalk-robot", "wecom-robot"] as const;
export type ChannelKind = (typeof channelKinds)[number];

/** A channel an admin configured. Its URL and signing secret are sealed (functions/secrets/). */
export interface Channel {
  channelId: string;
  kind: ChannelKind;
  /** The notices it takes; group robots take only what groups may hear (messages.ts). */
  kinds: NoticeKind[];
  /** `{ url, secret }` as JSON, sealed: a robot's URL carries its access token. */
  sealed: string;
  /** Group robots: Chinese or English. */
  language: "zh" | "en";
  active: boolean;
  updatedAt: string;
}

/** The person's own channel: DingTalk work notifications (工作通知) to their DingTalk userid. */
export const personChannel = "person:dingtalk";

export interface Delivery {
  /** Stable across retries and replays: the `webhook-id` receivers deduplicate by. */
  deliveryId: string;
  channelId: string;
  notice: Notice;
  /** When retrying began anew (an admin's replay of a dead letter); else the notice's time. */
  since?: string;
}

const digest = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 32);

/** The CloudEvent id of a notice: the same for every subscriber. */
export const eventIdOf = (notice: Notice) => `evt_${digest(`${notice.personId}\n${notice.causeId}`)}`;

export const deliveryIdOf = (notice: Notice, channelId: string) => `msg_${digest(`${notice.personId}\n${notice.causeId}\n${channelId}`)}`;

export const deliveryOf = (notice: Notice, channelId: string): Delivery => ({
  deliveryId: deliveryIdOf(notice, channelId),
  channelId,
  notice,
});

/** Every delivery a notice needs: the person's own channel when there is one, and each channel taking its kind. */
export function deliveriesOf(notice: Notice, channels: readonly Channel[], personal: boolean): Delivery[] {
  const kind = notice.data.kind;
  const taking = channels.filter(
    (channel) => channel.active && channel.kinds.includes(kind) && (channel.kind === "webhook" || groupKinds.includes(kind)),
  );
  return [...(personal ? [personChannel] : []), ...taking.map((channel) => channel.channelId)].map((id) => deliveryOf(notice, id));
}

/** A notice as a CloudEvent (structured mode), the body of every webhook delivery. */
export function cloudEventOf(notice: Notice) {
  return {
    specversion: "1.0",
    id: eventIdOf(notice),
    source: "/laurel/notifications",
    type: `com.laurel.${notice.data.kind}`,
    subject: notice.personId,
    time: notice.at,
    datacontenttype: "application/json",
    data: { personId: notice.personId, ...notice.data },
  };
}
