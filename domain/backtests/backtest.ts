/**
 * Backtesting a rule change on history: the kept events (domain/ledger EventLog) replayed in the
 * order the ledger settled each person's (`EventRecord.placedAt`) through the rulebook with a
 * draft version of one rule swapped in, writing nothing; the coins and points each org unit's
 * people would have been awarded, per capability, against what the rules awarded them. Rule progress (first times, counts, streaks, caps) is
 * rebuilt from the first event replayed, so a replay from the start of history is faithful; only
 * events that happened in the period are counted.
 *
 * What a replay keeps is bounded by people, not events: per person their rule progress, their
 * coins and points on each side and their badge tallies. What a retraction must take back (an
 * event's rule effects and amounts) is kept only for the events a retraction in the replay names,
 * learnt before the replay from the retractions alone (`retracted`), and let go once it is used.
 */
import {
  type AchievementEvent,
  type Badge,
  compileRules,
  evaluateEvent,
  type Grant,
  type Rule,
  RuleDefinition,
  undoEffects,
} from "../awards/index.ts";
import { DomainError } from "../kernel/errors.ts";
import type { AssetKey, OrgUnitId, PersonId } from "../kernel/model.ts";
import * as z from "../kernel/zod/index.ts";
import type { EventRecord, RetractedEvent, RuleEffect, RuleState } from "../ledger/index.ts";
import { type BadgeRow, BadgeTally, type BadgeUndo } from "./badge-comparison.ts";

const Instant = z.iso.datetime({ offset: true, error: "an RFC 3339 timestamp" });

export const BacktestRequest = z.strictObject({
  draft: RuleDefinition,
  /** Events that happened in [from, to) are counted. */
  from: Instant,
  to: Instant,
  /** Where the replay starts, to rebuild rule progress (first times, counts, streaks, caps): the start of history for a faithful replay; `from` unless given. */
  replayFrom: z.optional(Instant),
});
export type BacktestRequest = z.infer<typeof BacktestRequest>;

/** What the draft would change for one person over the period: coins and points by asset, badge levels. */
export interface PersonChange {
  assets: Map<AssetKey, number>;
  gained: AssetKey[];
  lost: AssetKey[];
}

export interface BacktestInput {
  /** The rules in force now; the draft replaces the rule of its id (or joins them, for a new rule). */
  rules: readonly Rule[];
  draft: Rule;
  /** Kept events in the ledger's order (by `placedAt`), from the first one replayed to the end of the period. */
  events: AsyncIterable<EventRecord>;
  /**
   * The events that the retractions among `events` retract (EventLog `retracted`, over the same
   * span), read whole before the replay: what undoing an event takes is kept for these alone.
   */
  retracted: AsyncIterable<RetractedEvent>;
  /** Events that happened in [from, to) are counted. */
  from: string;
  to: string;
  unitOf(personId: PersonId): OrgUnitId | undefined;
  timeZone: string;
  /** At most this many events are replayed: a longer replay is refused rather than left to run out of time. */
  maxEvents: number;
  signal?: AbortSignal;
  /** Badges whose levels are compared (none: no badge rows). */
  badges?: readonly Badge[];
  /** Told, at the end, of each person whose coins, points or badge levels the draft would change (gates are checked on them). */
  perPerson?: (personId: PersonId, change: PersonChange) => void;
  /** Told every `progressEvery` events how many were replayed and when the last one happened (a job's progress). */
  progress?: (replayed: number, at: string) => Promise<void>;
}

export const progressEvery = 500;

/** One org unit's coins, or its points of one capability: awarded by the rules, and would have been under the draft. */
export interface BacktestRow {
  orgUnitId: string;
  asset: string;
  actual: number;
  wouldBe: number;
  change: number;
}

export interface BacktestReport {
  ruleId: string;
  from: string;
  to: string;
  eventsReplayed: number;
  eventsCounted: number;
  rows: BacktestRow[];
  /** Coins outstanding (issued, not redeemed) would differ by this much: the change in coins issued. */
  liabilityChange: number;
  /** People reaching each badge level per org unit, as the rules were and under the draft (domain/backtests/badge-comparison.ts). */
  badges: BadgeRow[];
  /** Per org unit and promotion gate, the people who would newly meet it and newly miss it (domain/backtests/gate-comparison.ts). */
  gates: GateRow[];
}

export interface GateRow {
  orgUnitId: string;
  gateId: string;
  newlyMeeting: number;
  newlyMissing: number;
}

type Tally = Map<string, { actual: number; wouldBe: number }>;
/** What taking back a replayed event undoes: kept only for an event a later retraction names. */
interface Replayed {
  counted: boolean;
  effects: RuleEffect[];
  wouldBe: [string, number][];
  actual: [string, number][];
  badges?: BadgeUndo;
}

/** Where people without an org unit are counted. */
export const noUnit = "(none)";

export async function backtest(input: BacktestInput): Promise<BacktestReport> {
  const rules = [...input.rules.filter((r) => r.ruleId !== input.draft.ruleId), input.draft];
  const compiled = compileRules(rules);
  const states = new Map<PersonId, RuleState>();
  const badges = input.badges?.length ? new BadgeTally(input.badges, compileRules(input.rules), input.timeZone) : undefined;
  const eventKey = (sourceId: string, eventId: string) => `${sourceId}\u0000${eventId}`;
  // First the retractions alone (a few per hundred events): which events will be taken back.
  const retracted = new Set<string>();
  for await (const { sourceId, eventId } of input.retracted) {
    if (input.signal?.aborted) throw new DomainError("conflict", "backtest-cancelled", "The backtest was cancelled.");
    retracted.add(eventKey(sourceId, eventId));
    if (retracted.size > input.maxEvents) throw tooLong(input.maxEvents);
  }
  const replayed = new Map<string, Replayed>();
  const tally: Tally = new Map();
  const add = (key: string, side: "actual" | "wouldBe", amount: number) => {
    const row = tally.get(key) ?? { actual: 0, wouldBe: 0 };
    row[side] += amount;
    tally.set(key, row);
  };
  // Tallied per person, summed per org unit at the end: the people are what gates are checked on.
  const keyOf = (personId: PersonId, asset: string) => `${personId}\u0000${asset}`;
  let eventsReplayed = 0;
  let eventsCounted = 0;

  for await (const record of input.events) {
    if (input.progress && eventsReplayed > 0 && eventsReplayed % progressEvery === 0)
      await input.progress(eventsReplayed, record.time ?? record.recordedAt);
    if (input.signal?.aborted) throw new DomainError("conflict", "backtest-cancelled", "The backtest was cancelled.");
    if (++eventsReplayed > input.maxEvents) throw tooLong(input.maxEvents);
    if (record.retracts) {
      // A retracted event counts on neither side, and its progress is taken back (once: the
      // ledger retracts an event once). An event not replayed before its retraction (it happened
      // later, or before the replay began) has nothing to take back.
      const key = eventKey(record.sourceId, record.retracts);
      const target = replayed.get(key);
      if (!target) continue;
      replayed.delete(key);
      retracted.delete(key);
      for (const [personId, state] of undoEffects(states, target.effects)) states.set(personId, state);
      if (target.badges) badges?.undo(target.badges);
      if (target.counted) {
        for (const [key, amount] of target.wouldBe) add(key, "wouldBe", -amount);
        for (const [key, amount] of target.actual) add(key, "actual", -amount);
      }
      continue;
    }
    if (!record.time) continue;
    const event: AchievementEvent = {
      sourceId: record.sourceId,
      eventId: record.eventId,
      type: record.type,
      ...(record.subject ? { subject: record.subject } : {}),
      time: record.time,
      data: record.data ?? {},
    };
    const evaluation = evaluateEvent({ rules: compiled, event, states, members: record.members ?? [], timeZone: input.timeZone });
    for (const [personId, state] of evaluation.states) states.set(personId, state);
    const at = Date.parse(record.time);
    const counted = at >= Date.parse(input.from) && at < Date.parse(input.to);
    const wouldBe = evaluation.grants.flatMap((grant) =>
      grantAssets(grant).map(([asset, n]) => [keyOf(grant.personId, asset), n] as [string, number]),
    );
    const actual = record.awards
      .filter((a) => a.kind === "award" && a.ruleId !== undefined && !a.asset.startsWith("badge:"))
      .map((a) => [keyOf(a.personId, a.asset), a.amount] as [string, number]);
    if (counted) {
      eventsCounted += 1;
      for (const [key, amount] of wouldBe) add(key, "wouldBe", amount);
      for (const [key, amount] of actual) add(key, "actual", amount);
    }
    const badgeUndo = badges?.replay(event, record.members ?? [], record.awards, evaluation.grants);
    const key = eventKey(record.sourceId, record.eventId);
    if (retracted.has(key))
      replayed.set(key, { counted, effects: evaluation.effects, wouldBe, actual, ...(badgeUndo ? { badges: badgeUndo } : {}) });
  }

  const byUnit: Tally = new Map();
  const changes = new Map<PersonId, Map<AssetKey, number>>();
  for (const [key, { actual, wouldBe }] of tally) {
    const [personId, asset] = key.split("\u0000") as [PersonId, AssetKey];
    const unitKey = `${input.unitOf(personId) ?? noUnit}\u0000${asset}`;
    const unit = byUnit.get(unitKey) ?? { actual: 0, wouldBe: 0 };
    byUnit.set(unitKey, { actual: unit.actual + actual, wouldBe: unit.wouldBe + wouldBe });
    if (wouldBe !== actual) changes.set(personId, (changes.get(personId) ?? new Map()).set(asset, wouldBe - actual));
  }
  if (input.perPerson) {
    const people = new Set([...changes.keys(), ...(badges?.people(states) ?? [])]);
    for (const personId of people) {
      const levels = badges?.changes(personId, states.get(personId)) ?? { gained: [], lost: [] };
      if ((changes.get(personId)?.size ?? 0) + levels.gained.length + levels.lost.length > 0)
        input.perPerson(personId, { assets: changes.get(personId) ?? new Map(), ...levels });
    }
  }
  const rows = [...byUnit]
    .map(([key, { actual, wouldBe }]) => {
      const [orgUnitId, asset] = key.split("\u0000") as [string, string];
      return { orgUnitId, asset, actual, wouldBe, change: wouldBe - actual };
    })
    .sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId) || a.asset.localeCompare(b.asset));
  const liabilityChange = rows.filter((r) => r.asset === "coin").reduce((sum, r) => sum + r.change, 0);
  const badgeRows = badges?.rows(states, input.unitOf, noUnit) ?? [];
  return {
    ruleId: input.draft.ruleId,
    from: input.from,
    to: input.to,
    eventsReplayed,
    eventsCounted,
    rows,
    liabilityChange,
    badges: badgeRows,
    // Checked by the service on the people `perPerson` names (their facts are read from storage).
    gates: [],
  };
}

/** The events the retractions among `records` retract: `retracted` for a replay of records at hand (tests, benchmarks). */
export async function* retractedIn(records: Iterable<EventRecord>): AsyncIterable<RetractedEvent> {
  for (const record of records) if (record.retracts) yield { sourceId: record.sourceId, eventId: record.retracts };
}

const tooLong = (maxEvents: number) =>
  new DomainError(
    "unprocessable",
    "backtest-too-long",
    `The period holds more than ${maxEvents} events to replay; backtest a shorter one.`,
    {
      maxEvents,
    },
  );

const grantAssets = (grant: Grant): [string, number][] => [
  ...(grant.coins ? [["coin", grant.coins] as [string, number]] : []),
  ...(grant.points ? [[`point:${grant.points.capability}`, grant.points.amount] as [string, number]] : []),
];
