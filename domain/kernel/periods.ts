/**
 * Calendar periods in the company's time zone, named by sortable keys: "2026-11-23" (day),
 * "2026-W48" (ISO week, Monday start), "2026-11" (month), "2026-Q4", "2026". Caps, streaks and
 * leaderboards count by these keys. Pure: the instant is always passed in.
 */
import { DomainError } from "./errors.ts";

export const periods = ["day", "week", "month", "quarter", "year"] as const;
export type Period = (typeof periods)[number];

export const defaultTimeZone = "Asia/Shanghai";

const dayMs = 86_400_000;
/** Local midnight and every offset change fall on a quarter hour of UTC in all zones in use today. */
const quarterHourMs = 900_000;
const bucketsKeptPerZone = 10_000;

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface ZoneCache {
  format: Intl.DateTimeFormat;
  dates: Map<number, LocalDate>;
}

/** Formatters are costly to create and to run, so one per zone, and one lookup per quarter hour. */
const zones = new Map<string, ZoneCache>();

function zoneCache(timeZone: string): ZoneCache {
  let cache = zones.get(timeZone);
  if (!cache) {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" });
    } catch (error) {
      throw new DomainError(
        "invalid",
        "unknown-time-zone",
        `"${timeZone}" is not an IANA time zone such as "Asia/Shanghai".`,
        { timeZone },
        { cause: error },
      );
    }
    cache = { format, dates: new Map() };
    zones.set(timeZone, cache);
  }
  return cache;
}

function localDate(ms: number, timeZone: string): LocalDate {
  const cache = zoneCache(timeZone);
  const bucket = Math.floor(ms / quarterHourMs);
  let date = cache.dates.get(bucket);
  if (!date) {
    const parts = cache.format.formatToParts(bucket * quarterHourMs);
    const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
    date = { year: part("year"), month: part("month"), day: part("day") };
    if (cache.dates.size >= bucketsKeptPerZone) cache.dates.clear();
    cache.dates.set(bucket, date);
  }
  return date;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Days since 1970-01-01, whose weekday index (Monday 0) is (n + 3) mod 7. */
const dayNumber = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / dayMs;
const weekday = (dayNo: number) => (((dayNo + 3) % 7) + 7) % 7;

function dayKey(dayNo: number): string {
  const date = new Date(dayNo * dayMs);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** ISO 8601: the week belongs to the year of its Thursday. */
function weekKey(dayNo: number): string {
  const thursday = dayNo - weekday(dayNo) + 3;
  const year = new Date(thursday * dayMs).getUTCFullYear();
  const week = Math.floor((thursday - dayNumber(year, 1, 1)) / 7) + 1;
  return `${pad(year, 4)}-W${pad(week)}`;
}

export function periodKey(instant: string | Date, period: Period, timeZone: string = defaultTimeZone): string {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new DomainError("invalid", "invalid-instant", `"${String(instant)}" is not an ISO 8601 date-time.`);
  const { year, month, day } = localDate(ms, timeZone);
  switch (period) {
    case "day":
      return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    case "week":
      return weekKey(dayNumber(year, month, day));
    case "month":
      return `${pad(year, 4)}-${pad(month)}`;
    case "quarter":
      return `${pad(year, 4)}-Q${Math.ceil(month / 3)}`;
    case "year":
      return pad(year, 4);
  }
}

const keyPattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-W(\d{2})|-Q([1-4]))?$/;

const invalidKey = (key: string) =>
  new DomainError("invalid", "invalid-period-key", `"${key}" is not a period key such as 2026-11-23, 2026-W48, 2026-11, 2026-Q4 or 2026.`, {
    key,
  });

function parseKey(key: string): { period: Period; index: number } {
  const parsed = matchKey(key);
  // Rejects keys that match the pattern but name no real period, such as 2026-02-30 or 2026-W53.
  if (periodKeyAt(parsed.period, parsed.index) !== key) throw invalidKey(key);
  return parsed;
}

function matchKey(key: string): { period: Period; index: number } {
  const match = keyPattern.exec(key);
  if (!match) throw invalidKey(key);
  const [, y, m, d, w, q] = match;
  const year = Number(y);
  if (d !== undefined) return { period: "day", index: dayNumber(year, Number(m), Number(d)) };
  if (m !== undefined) return { period: "month", index: year * 12 + Number(m) - 1 };
  if (q !== undefined) return { period: "quarter", index: year * 4 + Number(q) - 1 };
  if (w !== undefined) {
    const jan4 = dayNumber(year, 1, 4);
    const monday = jan4 - weekday(jan4) + (Number(w) - 1) * 7;
    return { period: "week", index: (monday + 3) / 7 };
  }
  return { period: "year", index: year };
}

export const periodOfKey = (key: string): Period => parseKey(key).period;

/** A number for the period such that consecutive periods of one kind differ by exactly one. */
export const periodIndex = (key: string): number => parseKey(key).index;

export function periodKeyAt(period: Period, index: number): string {
  switch (period) {
    case "day":
      return dayKey(index);
    case "week":
      return weekKey(index * 7 - 3);
    case "month":
      return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
    case "quarter":
      return `${pad(Math.floor(index / 4), 4)}-Q${(index % 4) + 1}`;
    case "year":
      return pad(index, 4);
  }
}

/** The key `steps` periods before `key`, of the same kind. */
export function previousPeriodKey(key: string, steps = 1): string {
  const { period, index } = parseKey(key);
  return periodKeyAt(period, index - steps);
}

/** The UTC offset of a time zone at an instant, in milliseconds. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return (
    Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second")) - Math.floor(instant / 1000) * 1000
  );
}

/** The last millisecond of a calendar day (YYYY-MM-DD) in a time zone, as an ISO instant. */
export function endOfDay(day: string, timeZone: string = defaultTimeZone): string {
  const nextMidnightAsUtc = Date.parse(`${day}T00:00:00.000Z`) + 86_400_000;
  if (Number.isNaN(nextMidnightAsUtc)) throw new DomainError("invalid", "invalid-instant", `"${day}" is not a calendar day (YYYY-MM-DD).`);
  return new Date(nextMidnightAsUtc - zoneOffsetMs(nextMidnightAsUtc, timeZone) - 1).toISOString();
}
