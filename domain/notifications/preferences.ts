/**
 * A person's say over what reaches them: the language, quiet hours (messages wait until they end,
 * in the company's time zone) and the kinds they opted out of (neither their own channel nor a
 * group robot tells those; the bell still lists them, as the ledger does).
 */
import * as z from "../kernel/zod/index.ts";
import { type NoticeKind, noticeKinds } from "./notices.ts";

const clockTime = z.string().check(z.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "use HH:MM, 24-hour"));

export const NotificationPreferencesInput = z
  .strictObject({
    language: z._default(z.enum(["zh", "en"]), "zh"),
    quietHours: z._default(z.nullable(z.strictObject({ from: clockTime, until: clockTime })), null),
    optOut: z._default(z.array(z.enum(noticeKinds)).check(z.maxLength(noticeKinds.length)), []),
  })
  .register(z.globalRegistry, { id: "NotificationPreferencesInput" });

export type NotificationPreferences = z.output<typeof NotificationPreferencesInput>;

export const defaultPreferences = (): NotificationPreferences => ({ language: "zh", quietHours: null, optOut: [] });

export const optedOut = (preferences: NotificationPreferences, kind: NoticeKind) => preferences.optOut.includes(kind);

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Minutes past midnight of an instant on the wall clock of a time zone. */
function wallMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(instant);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return value("hour") * 60 + value("minute");
}

/**
 * When a message may go, if `now` falls in the person's quiet hours: the instant they end (a
 * window may span midnight, 22:00–08:00); undefined when it may go now.
 */
export function quietUntil(preferences: NotificationPreferences, now: Date, timeZone: string): Date | undefined {
  const quiet = preferences.quietHours;
  if (!quiet) return undefined;
  const from = minutesOf(quiet.from);
  const until = minutesOf(quiet.until);
  const minute = wallMinutes(now, timeZone);
  const inside = from <= until ? minute >= from && minute < until : minute >= from || minute < until;
  if (!inside) return undefined;
  const wait = (until - minute + 24 * 60) % (24 * 60);
  const end = new Date(now.getTime() + wait * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}
