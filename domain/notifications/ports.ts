/** What notifications need from the world (functions/dynamo/stores/notification-store.ts, functions/notify/). */
import type { PersonId } from "../kernel/model.ts";
import type { Channel, Delivery } from "./channels.ts";
import type { Notice } from "./notices.ts";
import type { NotificationPreferences } from "./preferences.ts";

/** The outbox: each notice written once per cause, ever; a person's recent notices read back. */
export interface Outbox {
  /** Writes each notice whose cause was not written before; answers which were new and which were not. */
  record(notices: readonly Notice[]): Promise<{ written: Notice[]; already: Notice[] }>;
  /** The person's notices recorded at or after `since`, newest first. */
  recent(personId: PersonId, since: string): Promise<Notice[]>;
}

/** The channels admins configure: webhook subscriptions and group robots, their secrets sealed. */
export interface ChannelStore {
  channels(): Promise<Channel[]>;
  channel(channelId: string): Promise<Channel | undefined>;
  putChannel(channel: Channel): Promise<void>;
}

export interface PreferenceStore {
  preferences(personId: PersonId): Promise<NotificationPreferences | undefined>;
  putPreferences(personId: PersonId, preferences: NotificationPreferences): Promise<void>;
}

/** Deliveries waiting to be made, each retried on its own (SQS in AWS, scripts/local/queue.ts locally). */
export interface DeliveryQueue {
  send(deliveries: readonly Delivery[]): Promise<void>;
}

/** Deliveries given up after retrying for a day and more: an admin reads and replays them. */
export interface DeadLetters {
  put(letter: DeadLetter): Promise<void>;
  list(): Promise<DeadLetter[]>;
  /** Marks a letter replayed, once (kept for the record); undefined when none or replayed already. */
  markReplayed(letterId: string, at: string): Promise<DeadLetter | undefined>;
}

export interface DeadLetter {
  letterId: string;
  delivery: Delivery;
  attempts: number;
  lastError: string;
  at: string;
  replayedAt?: string;
}
