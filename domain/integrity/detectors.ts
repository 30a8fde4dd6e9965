/**
 * Anti-gaming detectors: pure functions from a window of observations (or a source's daily
 * counts) to flags. Each flag names its cause (one review item per cause, however often the
 * detector sees it again), its figures and the ledger entries and events that raised it, and
 * says why in Chinese and English.
 */
import type { PersonId } from "../kernel/model.ts";
import { defaultTimeZone, periodKey } from "../kernel/periods.ts";
import * as z from "../kernel/zod/index.ts";
import type { EventObservation, NearThreshold, Observation } from "./observations.ts";

export const IntegritySettings = z.strictObject({
  /** Days of history a velocity is compared with. */
  baselineDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(60)), 28),
  /** A day's awards beyond this multiple of the baseline's daily mean are a spike… */
  velocityMultiple: z._default(z.number().check(z.gte(1), z.lte(100)), 5),
  /** …if there are at least this many (a person's awarding events in a day). */
  personDailyFloor: z._default(z.number().check(z.int(), z.gte(1)), 20),
  /** …or this many (a source's accepted events in a day). */
  sourceDailyFloor: z._default(z.number().check(z.int(), z.gte(1)), 500),
  /** How close to a rule's threshold a measure is "just" under or over it, as a fraction of the threshold. */
  thresholdMargin: z._default(z.number().check(z.gte(0), z.lte(0.5)), 0.05),
  /** Near misses of the same threshold before a pass, within `burstHours`, that make a burst. */
  nearMisses: z._default(z.number().check(z.int(), z.gte(2)), 3),
  burstHours: z._default(z.number().check(z.int(), z.gte(1), z.lte(24 * 7)), 24),
  /** Days within which A credited B and B credited A. */
  reciprocalDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(30)), 30),
  /** Times the same content was retracted and sent again under a new id. */
  resends: z._default(z.number().check(z.int(), z.gte(1)), 2),
  /** Whether a flagged person's further awarding events wait for a review (domain/integrity/holds.ts). */
  holdFlagged: z._default(z.boolean(), false),
});
/**
 * What the detectors run with: the stage's settings and the company's time zone (the stage's
 * `TIME_ZONE`, which budgets and periods use too): a day, a velocity's "today", a flag's day or month
 * are the company's.
 */
export type IntegritySettings = z.infer<typeof IntegritySettings>;
export type DetectorSettings = IntegritySettings & { timeZone: string };
export const defaultSettings: DetectorSettings = { ...IntegritySettings.parse({}), timeZone: defaultTimeZone };

/** A stage's settings as its functions get them (`INTEGRITY`, JSON; lib/stage.ts), the defaults for what it leaves out. */
export const integritySettings = (json: string | undefined): IntegritySettings => IntegritySettings.parse(JSON.parse(json || "{}"));

export const detectors = ["person-velocity", "source-velocity", "threshold-burst", "reciprocal-credit", "retract-resend"] as const;
export type Detector = (typeof detectors)[number];

export interface Flag {
  /** The cause: a flag with the same id is the same finding, opened once. */
  flagId: string;
  detector: Detector;
  /** The people it is about (both, for reciprocal credits). */
  people: PersonId[];
  sourceId?: string;
  raisedAt: string;
  figures: Record<string, number>;
  entryIds: string[];
  eventIds: string[];
  explained: { zh: string; en: string };
}

/** Evidence lists are capped: a spike of thousands names its most recent entries. */
const maxEvidence = 50;
/** The company's day of an instant, as the other contexts' periods count it (domain/kernel/periods.ts). */
export const dayOf = (at: string, timeZone: string): string => periodKey(at, "day", timeZone);
const round2 = (n: number) => Math.round(n * 100) / 100;
const newest = <T>(items: readonly T[]) => items.slice(-maxEvidence);

/** The mean daily count over the days before `today` (at most `days`, from the first day seen), and today's count. */
export function velocity(counts: ReadonlyMap<string, number>, today: string, days: number): { today: number; baseline: number } {
  const dayMs = 86_400_000;
  const start = Date.parse(today) - days * dayMs;
  const earlier = [...counts].filter(([day]) => day < today && Date.parse(day) >= start);
  const first = Math.min(...earlier.map(([day]) => Date.parse(day)));
  const span = earlier.length === 0 ? 1 : Math.round((Date.parse(today) - first) / dayMs);
  return { today: counts.get(today) ?? 0, baseline: earlier.reduce((sum, [, n]) => sum + n, 0) / span };
}

const isSpike = (v: { today: number; baseline: number }, floor: number, settings: DetectorSettings) =>
  v.today >= floor && v.today > settings.velocityMultiple * v.baseline;

const velocityFigures = (v: { today: number; baseline: number }, floor: number, settings: DetectorSettings) => ({
  today: v.today,
  baselinePerDay: round2(v.baseline),
  multiple: settings.velocityMultiple,
  floor,
});

/** A person's awarding events today against their own daily mean. */
export function personVelocity(personId: PersonId, window: readonly Observation[], now: string, settings: DetectorSettings): Flag[] {
  const awarding = window.filter((o): o is EventObservation => o.kind === "event" && o.entryIds.length > 0);
  const counts = new Map<string, number>();
  const day = (o: Observation) => dayOf(o.at, settings.timeZone);
  for (const o of awarding) counts.set(day(o), (counts.get(day(o)) ?? 0) + 1);
  const today = dayOf(now, settings.timeZone);
  const v = velocity(counts, today, settings.baselineDays);
  if (!isSpike(v, settings.personDailyFloor, settings)) return [];
  const todays = awarding.filter((o) => day(o) === today);
  return [
    {
      flagId: `person-velocity:${personId}:${today}`,
      detector: "person-velocity",
      people: [personId],
      raisedAt: now,
      figures: velocityFigures(v, settings.personDailyFloor, settings),
      entryIds: newest(todays.flatMap((o) => o.entryIds)),
      eventIds: newest(todays.map((o) => `${o.sourceId}/${o.eventId}`)),
      explained: {
        zh: `今日获奖事件 ${v.today} 次，超过近 ${settings.baselineDays} 天日均 ${round2(v.baseline)} 次的 ${settings.velocityMultiple} 倍`,
        en: `${v.today} awarding events today, over ${settings.velocityMultiple}× the daily mean of ${round2(v.baseline)} over the last ${settings.baselineDays} days`,
      },
    },
  ];
}

/** A source's accepted events today against its daily mean; `evidence` is what this batch saw of it today. */
export function sourceVelocity(
  sourceId: string,
  counts: ReadonlyMap<string, number>,
  evidence: readonly EventObservation[],
  now: string,
  settings: DetectorSettings,
): Flag[] {
  const today = dayOf(now, settings.timeZone);
  const v = velocity(counts, today, settings.baselineDays);
  if (!isSpike(v, settings.sourceDailyFloor, settings)) return [];
  return [
    {
      flagId: `source-velocity:${sourceId}:${today}`,
      detector: "source-velocity",
      people: [],
      sourceId,
      raisedAt: now,
      figures: velocityFigures(v, settings.sourceDailyFloor, settings),
      entryIds: newest(evidence.flatMap((o) => o.entryIds)),
      eventIds: newest(evidence.map((o) => `${o.sourceId}/${o.eventId}`)),
      explained: {
        zh: `来源 ${sourceId} 今日事件 ${v.today} 个，超过近 ${settings.baselineDays} 天日均 ${round2(v.baseline)} 个的 ${settings.velocityMultiple} 倍`,
        en: `Source ${sourceId} sent ${v.today} events today, over ${settings.velocityMultiple}× its daily mean of ${round2(v.baseline)} over the last ${settings.baselineDays} days`,
      },
    },
  ];
}

/** Near misses of a rule's threshold in a row, then a pass just over it: the measure tried until it went through. */
export function thresholdBursts(personId: PersonId, window: readonly Observation[], settings: DetectorSettings): Flag[] {
  const marks = window.flatMap((o) => (o.kind === "event" ? o.near.map((near) => ({ o, near })) : []));
  const byThreshold = Map.groupBy(marks, ({ near }) => `${near.ruleId}#${near.field}`);
  return [...byThreshold.values()].flatMap((series) => {
    const pass = series.findLast(({ near }) => near.passed);
    if (!pass) return [];
    const since = Date.parse(pass.o.at) - settings.burstHours * 3_600_000;
    // Events of one webhook batch share their time: a miss recorded with the pass counts as before it.
    const misses = series.filter(({ o, near }) => !near.passed && o.at <= pass.o.at && Date.parse(o.at) >= since);
    if (misses.length < settings.nearMisses) return [];
    return [burstFlag(personId, pass, misses, settings)];
  });
}

function burstFlag(
  personId: PersonId,
  pass: { o: EventObservation; near: NearThreshold },
  misses: { o: EventObservation; near: NearThreshold }[],
  settings: DetectorSettings,
): Flag {
  const { ruleId, field, threshold } = pass.near;
  const evidence = [...misses, pass].map(({ o }) => o);
  return {
    flagId: `threshold-burst:${personId}:${ruleId}:${dayOf(pass.o.at, settings.timeZone)}`,
    detector: "threshold-burst",
    people: [personId],
    raisedAt: pass.o.at,
    figures: { threshold, nearMisses: misses.length, passedWith: pass.near.value, marginPercent: round2(settings.thresholdMargin * 100) },
    entryIds: newest(evidence.flatMap((o) => o.entryIds)),
    eventIds: newest(evidence.map((o) => `${o.sourceId}/${o.eventId}`)),
    explained: {
      zh: `规则 ${ruleId} 的 ${field} 在 ${settings.burstHours} 小时内 ${misses.length} 次略低于门槛 ${threshold}，随后以 ${pass.near.value} 刚好通过`,
      en: `${field} of rule ${ruleId} came in just under its threshold of ${threshold} ${misses.length} times within ${settings.burstHours} hours, then passed with ${pass.near.value}`,
    },
  };
}

/** This person credited another who credited them back, within the window. */
export function reciprocalCredits(personId: PersonId, window: readonly Observation[], now: string, settings: DetectorSettings): Flag[] {
  const since = Date.parse(now) - settings.reciprocalDays * 86_400_000;
  const credits = window.filter((o) => o.kind === "credit" && Date.parse(o.at) >= since) as Extract<Observation, { kind: "credit" }>[];
  const byOther = Map.groupBy(credits, (o) => o.other);
  return [...byOther].flatMap(([other, both]) => {
    const gave = both.filter((o) => o.direction === "gave");
    const got = both.filter((o) => o.direction === "got");
    if (gave.length === 0 || got.length === 0) return [];
    const pair = [personId, other].sort() as [PersonId, PersonId];
    const sum = (list: typeof both) => list.reduce((s, o) => s + o.amount, 0);
    // The same pair in the same month is one finding, whichever of the two saw it first.
    const first = both.map((o) => o.at).sort()[0];
    const month = first && periodKey(first, "month", settings.timeZone);
    return [
      {
        flagId: `reciprocal-credit:${pair[0]}:${pair[1]}:${month}`,
        detector: "reciprocal-credit" as const,
        people: pair,
        raisedAt: now,
        figures: { credits: gave.length, creditedBack: got.length, amount: sum(gave), amountBack: sum(got), days: settings.reciprocalDays },
        entryIds: newest(both.map((o) => o.entryId)),
        eventIds: [],
        explained: {
          zh: `${personId} 与 ${other} 在 ${settings.reciprocalDays} 天内互相给予奖励（${gave.length} 次 / ${got.length} 次）`,
          en: `${personId} and ${other} credited each other within ${settings.reciprocalDays} days (${gave.length} and ${got.length} times)`,
        },
      },
    ];
  });
}

/** The same content retracted and sent again under a new id, `resends` times or more. */
export function retractResends(personId: PersonId, window: readonly Observation[], settings: DetectorSettings): Flag[] {
  const events = window.filter((o): o is EventObservation => o.kind === "event");
  const retracted = window.filter((o) => o.kind === "retracted") as Extract<Observation, { kind: "retracted" }>[];
  return [...Map.groupBy(retracted, (o) => o.content)].flatMap(([content, retractions]) => {
    const resent = events.filter((e) => e.content === content && retractions.some((r) => r.eventId !== e.eventId && r.at <= e.at));
    const cycles = Math.min(retractions.length, resent.length);
    if (cycles < settings.resends) return [];
    return [
      {
        flagId: `retract-resend:${personId}:${content}`,
        detector: "retract-resend" as const,
        people: [personId],
        raisedAt: resent.at(-1)?.at ?? "",
        figures: { retracted: retractions.length, resent: resent.length, threshold: settings.resends },
        entryIds: newest([...retractions, ...resent].flatMap((o) => o.entryIds)),
        eventIds: newest([...retractions, ...resent].map((o) => `${o.sourceId}/${o.eventId}`)),
        explained: {
          zh: `同一内容的事件被撤回 ${retractions.length} 次后又以新编号重发 ${resent.length} 次`,
          en: `An event with the same content was retracted ${retractions.length} times and sent again under a new id ${resent.length} times`,
        },
      },
    ];
  });
}

/** Every detector over one person's window. */
export const personFlags = (personId: PersonId, window: readonly Observation[], now: string, settings: DetectorSettings): Flag[] => [
  ...personVelocity(personId, window, now, settings),
  ...thresholdBursts(personId, window, settings),
  ...reciprocalCredits(personId, window, now, settings),
  ...retractResends(personId, window, settings),
];
