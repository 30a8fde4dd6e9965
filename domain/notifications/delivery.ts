/**
 * The delivery side: each delivery is tried, and on failure tried again with exponential backoff
 * (30 s, doubling, at most 6 h apart) until it has been retried for a day; then it becomes a dead
 * letter that an admin can read and replay. Quiet hours hold a person's message until they end;
 * an opted-out kind is not sent; a group robot takes at most 20 messages a minute, so the
 * deliveries for one robot are sent as one digest, and a full minute holds the rest.
 */
import type { Directory } from "../directory/index.ts";
import type { Clock } from "../kernel/ports.ts";
import { type Channel, type Delivery, personChannel } from "./channels.ts";
import { groupLine, type Message, personalMessage } from "./messages.ts";
import type { ChannelStore, DeadLetters, PreferenceStore } from "./ports.ts";
import { defaultPreferences, optedOut, quietUntil } from "./preferences.ts";

export const firstRetrySeconds = 30;
export const longestRetrySeconds = 6 * 60 * 60;
/** Retries go on at least this long after a delivery was first queued. */
export const retryForSeconds = 24 * 60 * 60;
/** What DingTalk and WeCom let a group robot send. */
export const robotMessagesPerMinute = 20;

/** The wait before the next try, after the n-th try failed. */
export const backoffSeconds = (attempt: number) => Math.min(longestRetrySeconds, firstRetrySeconds * 2 ** Math.max(0, attempt - 1));

export interface Attempt {
  delivery: Delivery;
  /** 1 on the first try (SQS's receive count). */
  attempt: number;
}

export type Outcome =
  | { status: "sent" }
  | { status: "skipped"; why: "opted-out" | "channel-gone" | "no-recipient" }
  | { status: "held"; seconds: number; why: "quiet-hours" | "robot-rate" }
  | { status: "retry"; seconds: number; error: string }
  | { status: "dead-letter"; error: string };

/** A channel's URL and secret, opened from its sealed form. */
export interface Target {
  url: string;
  secret?: string;
}

/** The outside services, spoken to in their own protocols (functions/notify/senders.ts). */
export interface Senders {
  /** A CloudEvent, signed with Standard Webhooks under the delivery's id. */
  webhook(target: Target, deliveryId: string, body: string): Promise<void>;
  robot(channel: Channel, target: Target, text: string): Promise<void>;
  /** A DingTalk work notification (工作通知) to one DingTalk userid. */
  workNotice(userId: string, message: Message): Promise<void>;
}

export interface RobotRate {
  /** Takes one of the robot's messages of the current minute; false when the minute's are gone. */
  take(channelId: string, minute: string): Promise<boolean>;
}

export interface DeliveryDeps {
  channels: Pick<ChannelStore, "channel">;
  preferences: Pick<PreferenceStore, "preferences">;
  deadLetters: Pick<DeadLetters, "put">;
  directory: Pick<Directory, "person">;
  /** The person's DingTalk userid, if they have one. */
  dingTalkId: (personId: string) => Promise<string | undefined>;
  open: (sealed: string) => Promise<string>;
  senders: Senders;
  rate: RobotRate;
  clock: Clock;
  timeZone: string;
}

/** What becomes of a failed try: another after the backoff, or a dead letter once retried for a day. */
function failed(deps: DeliveryDeps, { delivery, attempt }: Attempt, error: unknown): Promise<Outcome> | Outcome {
  const message = error instanceof Error ? error.message : String(error);
  const since = Date.parse(delivery.since ?? delivery.notice.at);
  if ((deps.clock.now().getTime() - since) / 1000 < retryForSeconds)
    return { status: "retry", seconds: backoffSeconds(attempt), error: message };
  const at = deps.clock.now().toISOString();
  return deps.deadLetters
    .put({
      letterId: `${at.replace(/[^0-9]/g, "")}_${delivery.deliveryId}`,
      delivery,
      attempts: attempt,
      lastError: message.slice(0, 500),
      at,
    })
    .then(() => ({ status: "dead-letter", error: message }));
}

async function personal(deps: DeliveryDeps, try_: Attempt): Promise<Outcome> {
  const { notice } = try_.delivery;
  const preferences = (await deps.preferences.preferences(notice.personId)) ?? defaultPreferences();
  if (optedOut(preferences, notice.data.kind)) return { status: "skipped", why: "opted-out" };
  const now = deps.clock.now();
  const quietEnd = quietUntil(preferences, now, deps.timeZone);
  if (quietEnd) return { status: "held", seconds: (quietEnd.getTime() - now.getTime()) / 1000, why: "quiet-hours" };
  const userId = await deps.dingTalkId(notice.personId);
  if (!userId) return { status: "skipped", why: "no-recipient" };
  try {
    await deps.senders.workNotice(userId, personalMessage(notice.data, preferences.language));
    return { status: "sent" };
  } catch (error) {
    return failed(deps, try_, error);
  }
}

async function webhook(deps: DeliveryDeps, channel: Channel, try_: Attempt, body: string): Promise<Outcome> {
  try {
    await deps.senders.webhook(JSON.parse(await deps.open(channel.sealed)) as Target, try_.delivery.deliveryId, body);
    return { status: "sent" };
  } catch (error) {
    return failed(deps, try_, error);
  }
}

const minuteOf = (now: Date) => now.toISOString().slice(0, 16);
const secondsToNextMinute = (now: Date) => 60 - now.getUTCSeconds();

/** One digest for the deliveries to one robot: each person's line, those who opted out left out. */
async function robot(deps: DeliveryDeps, channel: Channel, tries: readonly Attempt[]): Promise<Map<Attempt, Outcome>> {
  const outcomes = new Map<Attempt, Outcome>();
  const lines: string[] = [];
  const sending: Attempt[] = [];
  for (const try_ of tries) {
    const { notice } = try_.delivery;
    const [preferences, person] = await Promise.all([
      deps.preferences.preferences(notice.personId),
      deps.directory.person(notice.personId),
    ]);
    const line =
      person && !optedOut(preferences ?? defaultPreferences(), notice.data.kind)
        ? groupLine(notice, person.name, channel.language)
        : undefined;
    if (!line) outcomes.set(try_, { status: "skipped", why: person ? "opted-out" : "no-recipient" });
    else {
      lines.push(line);
      sending.push(try_);
    }
  }
  if (sending.length === 0) return outcomes;
  const now = deps.clock.now();
  if (!(await deps.rate.take(channel.channelId, minuteOf(now)))) {
    for (const try_ of sending) outcomes.set(try_, { status: "held", seconds: secondsToNextMinute(now), why: "robot-rate" });
    return outcomes;
  }
  try {
    await deps.senders.robot(channel, JSON.parse(await deps.open(channel.sealed)) as Target, lines.join("\n"));
    for (const try_ of sending) outcomes.set(try_, { status: "sent" });
  } catch (error) {
    for (const try_ of sending) outcomes.set(try_, await failed(deps, try_, error));
  }
  return outcomes;
}

/** Tries a batch of deliveries; answers what became of each. */
export async function deliver(deps: DeliveryDeps, tries: readonly Attempt[], bodyOf: (delivery: Delivery) => string) {
  const outcomes = new Map<Attempt, Outcome>();
  const toRobots = new Map<string, { channel: Channel; tries: Attempt[] }>();
  await Promise.all(
    tries.map(async (try_) => {
      const { channelId } = try_.delivery;
      if (channelId === personChannel) return outcomes.set(try_, await personal(deps, try_));
      const channel = await deps.channels.channel(channelId);
      if (!channel?.active) return outcomes.set(try_, { status: "skipped", why: "channel-gone" });
      if (channel.kind === "webhook") return outcomes.set(try_, await webhook(deps, channel, try_, bodyOf(try_.delivery)));
      const group = toRobots.get(channelId) ?? { channel, tries: [] };
      group.tries.push(try_);
      return toRobots.set(channelId, group);
    }),
  );
  for (const { channel, tries: group } of toRobots.values())
    for (const [try_, outcome] of await robot(deps, channel, group)) outcomes.set(try_, outcome);
  return outcomes;
}
