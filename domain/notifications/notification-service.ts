/**
 * What people and admins do with notifications: a person reads their bell (the last 30 days, in
 * their language) and sets their preferences; an admin configures channels (URL and secret sealed
 * on the way in, never shown again) and reads and replays dead letters.
 */

import { assertRole, type Caller } from "../directory/index.ts";
import { DomainError, ForbiddenError, NotFoundError } from "../kernel/errors.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import * as z from "../kernel/zod/index.ts";
import { type Channel, channelKinds, deliveryOf } from "./channels.ts";
import { personalMessage } from "./messages.ts";
import { noticeKinds } from "./notices.ts";
import type { ChannelStore, DeadLetters, DeliveryQueue, Outbox, PreferenceStore } from "./ports.ts";
import { defaultPreferences, type NotificationPreferences } from "./preferences.ts";

export const bellDays = 30;

export const ChannelInput = z
  .strictObject({
    kind: z.enum(channelKinds),
    url: z.url({ protocol: /^https?$/ }).check(z.maxLength(2000)),
    /** A webhook's Standard Webhooks secret (whsec_…), a DingTalk robot's 加签 secret (SEC…); none for WeCom. */
    secret: z.optional(z.string().check(z.minLength(16), z.maxLength(200))),
    kinds: z.array(z.enum(noticeKinds)).check(z.minLength(1), z.maxLength(noticeKinds.length)),
    language: z._default(z.enum(["zh", "en"]), "zh"),
    active: z._default(z.boolean(), true),
  })
  .register(z.globalRegistry, { id: "NotificationChannelInput" });
export type ChannelInput = z.output<typeof ChannelInput>;

export interface NotificationServiceDeps {
  outbox: Pick<Outbox, "recent">;
  preferences: PreferenceStore;
  channels: ChannelStore;
  deadLetters: Pick<DeadLetters, "list" | "markReplayed">;
  queue: DeliveryQueue;
  seal: (plaintext: string) => Promise<string>;
  clock: Clock;
}

const assertSelf = (caller: Caller, personId: PersonId) => {
  if (caller.personId !== personId)
    throw new ForbiddenError("Only the person themself may read their notifications or change their preferences.");
};

const view = ({ sealed: _sealed, ...channel }: Channel) => channel;

export class NotificationService {
  readonly #deps: NotificationServiceDeps;

  constructor(deps: NotificationServiceDeps) {
    this.#deps = deps;
  }

  /** The bell: the person's notices of the last 30 days, newest first, each said in their language. */
  async bell(caller: Caller, personId: PersonId) {
    assertSelf(caller, personId);
    const since = new Date(this.#deps.clock.now().getTime() - bellDays * 86_400_000).toISOString();
    const [notices, preferences] = await Promise.all([this.#deps.outbox.recent(personId, since), this.preferences(caller, personId)]);
    const items = notices.map((notice) => ({
      id: notice.causeId,
      kind: notice.data.kind,
      at: notice.at,
      ...(notice.data.kind === "penalty" && notice.data.colour ? { colour: notice.data.colour } : {}),
      zh: personalMessage(notice.data, "zh"),
      en: personalMessage(notice.data, "en"),
    }));
    return { personId, since, language: preferences.language, items };
  }

  async preferences(caller: Caller, personId: PersonId): Promise<NotificationPreferences> {
    assertSelf(caller, personId);
    return (await this.#deps.preferences.preferences(personId)) ?? defaultPreferences();
  }

  async putPreferences(caller: Caller, personId: PersonId, preferences: NotificationPreferences): Promise<NotificationPreferences> {
    assertSelf(caller, personId);
    await this.#deps.preferences.putPreferences(personId, preferences);
    return preferences;
  }

  async putChannel(caller: Caller, channelId: string, input: ChannelInput) {
    assertRole(caller, ["admin"]);
    if (input.kind === "webhook" && !input.secret?.startsWith("whsec_")) {
      throw new DomainError(
        "unprocessable",
        "webhook-secret-required",
        "A webhook subscription needs a Standard Webhooks secret (whsec_…) to sign its deliveries.",
      );
    }
    const sealed = await this.#deps.seal(JSON.stringify({ url: input.url, ...(input.secret ? { secret: input.secret } : {}) }));
    const channel: Channel = {
      channelId,
      kind: input.kind,
      kinds: input.kinds,
      sealed,
      language: input.language,
      active: input.active,
      updatedAt: this.#deps.clock.now().toISOString(),
    };
    await this.#deps.channels.putChannel(channel);
    return view(channel);
  }

  async channels(caller: Caller) {
    assertRole(caller, ["admin"]);
    return { items: (await this.#deps.channels.channels()).map(view) };
  }

  async deadLetters(caller: Caller) {
    assertRole(caller, ["admin"]);
    const letters = await this.#deps.deadLetters.list();
    return { items: letters.toSorted((a, b) => b.at.localeCompare(a.at)) };
  }

  /** Queues a dead letter's delivery again, with a fresh day of retries, once. */
  async replay(caller: Caller, letterId: string) {
    assertRole(caller, ["admin"]);
    const now = this.#deps.clock.now().toISOString();
    const letter = await this.#deps.deadLetters.markReplayed(letterId, now);
    if (!letter) throw new NotFoundError("dead-letter", letterId);
    const { notice, channelId } = letter.delivery;
    await this.#deps.queue.send([{ ...deliveryOf(notice, channelId), since: now }]);
    return { letterId, replayedAt: now, deliveryId: letter.delivery.deliveryId };
  }
}
