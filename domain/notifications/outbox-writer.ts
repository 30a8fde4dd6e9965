/**
 * The stream side: notices into the outbox, once per cause, and their deliveries onto the queue.
 *
 * A notice the outbox already holds was written by an earlier try of the same stream batch,
 * which may have failed before its deliveries were queued: they are queued again. Deliveries are
 * at least once, and a repeated one keeps its id (`webhook-id`), which receivers deduplicate by.
 */
import { deliveriesOf } from "./channels.ts";
import type { Notice } from "./notices.ts";
import type { ChannelStore, DeliveryQueue, Outbox } from "./ports.ts";

export interface OutboxWriterDeps {
  outbox: Outbox;
  channels: ChannelStore;
  queue: DeliveryQueue;
  /** Whether people have a channel of their own (DingTalk work notifications are configured). */
  personal: boolean;
}

export async function writeNotices(deps: OutboxWriterDeps, notices: readonly Notice[]) {
  if (notices.length === 0) return { written: 0, already: 0, deliveries: 0 };
  const [{ written, already }, channels] = await Promise.all([deps.outbox.record(notices), deps.channels.channels()]);
  const deliveries = [...written, ...already].flatMap((notice) => deliveriesOf(notice, channels, deps.personal));
  await deps.queue.send(deliveries);
  return { written: written.length, already: already.length, deliveries: deliveries.length };
}
