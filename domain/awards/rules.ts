/**
 * Award rules: which achievement events earn what. A rule names an event type, an optional
 * condition on the event's data, a trigger (each, first, count, streak), the award, an optional
 * team split and an optional cap per period. Evaluation is pure and fast: it reads the people's
 * rule state and returns grants, the new state and the exact effects, which undo a retracted
 * event. Grants become ledger entries elsewhere.
 */
import { DomainError } from "../kernel/errors.ts";
import type { Capability, PersonId } from "../kernel/model.ts";
import { defaultTimeZone, type Period, periodKey, previousPeriodKey } from "../kernel/periods.ts";
import { Amount, localizedText, PointsSchema } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import type { Cause, RuleRef, RuleTrigger } from "../ledger/index.ts";
import { type CapUsage, emptyRuleState, type RuleEffect, type RuleProgress, type RuleState } from "../ledger/index.ts";

const maxConditionDepth = 5;
const maxListedConditions = 20;

const FieldPath = z
  .string()
  .check(
    z.maxLength(200),
    z.regex(/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){0,9}$/, 'name a field of the event data by a dot path, e.g. "score" or "course.level"'),
  );

const Text = z.string().check(z.maxLength(200));
const Scalar = z.union([z.number(), Text, z.boolean()], { error: "compare with a number, a string or a boolean" });

/** A comparison on a missing field is false (use `exists` or `not` to ask about absence). */
export const LeafCondition = z
  .discriminatedUnion(
    "op",
    [
      z.strictObject({ field: FieldPath, op: z.enum(["eq", "ne"]), value: Scalar }),
      z.strictObject({
        field: FieldPath,
        op: z.enum(["gt", "gte", "lt", "lte"]),
        value: z.union([z.number(), Text], { error: "order compares numbers or strings" }),
      }),
      z.strictObject({
        field: FieldPath,
        op: z.literal("in"),
        values: z.array(Scalar).check(z.minLength(1, "list at least one value"), z.maxLength(100, "list at most 100 values")),
      }),
      z.strictObject({ field: FieldPath, op: z.literal("exists") }),
    ],
    { error: "op is one of eq, ne, gt, gte, lt, lte, in, exists" },
  )
  .register(z.globalRegistry, { id: "LeafCondition" });
export type LeafCondition = z.infer<typeof LeafCondition>;
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

const combinators = ["all", "any", "not"] as const;

/**
 * A union reports "Invalid input" for every option; the input's own key says which option was
 * meant, so the message is that option's first problem, with its path inside the condition.
 */
function conditionError(issue: { code?: string; input?: unknown; errors?: { path: PropertyKey[]; message: string }[][] }) {
  const shapes = "a condition is {all: [...]}, {any: [...]}, {not: {...}} or {field, op, ...}";
  const input = issue.input;
  if (issue.code !== "invalid_union" || typeof input !== "object" || input === null || Array.isArray(input)) return shapes;
  const meant = combinators.findIndex((key) => Object.hasOwn(input, key));
  const first = issue.errors?.[meant === -1 ? combinators.length : meant]?.[0];
  if (!first) return shapes;
  return first.path.length > 0 ? `${first.path.join(".")}: ${first.message}` : first.message;
}

/**
 * Unrolled to the depth limit rather than recursive, so that no input can nest deeper (and no
 * deep input can exhaust the stack). Each level has its own id, so that the OpenAPI document
 * refers to it instead of repeating it.
 */
const ConditionSchema: z.ZodMiniType<Condition> = Array.from({ length: maxConditionDepth }).reduce<z.ZodMiniType<Condition>>(
  (inner, _, i) => {
    const level = maxConditionDepth - i;
    const list = z
      .array(inner)
      .check(
        z.minLength(1, "list at least one condition"),
        z.maxLength(maxListedConditions, `list at most ${maxListedConditions} conditions`),
      );
    return z
      .union([z.strictObject({ all: list }), z.strictObject({ any: list }), z.strictObject({ not: inner }), LeafCondition], {
        error: conditionError,
      })
      .register(z.globalRegistry, { id: level === 1 ? "Condition" : `ConditionLevel${level}` });
  },
  z.never({ error: `conditions nest at most ${maxConditionDepth} levels deep` }),
);

const Times = z.number().check(z.int("must be a whole number"), z.gte(1, "must be at least 1"), z.lte(100_000));
const RulePeriod = z.enum(["day", "week", "month"]);

export const Trigger = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("each") }),
    z.strictObject({ kind: z.literal("first") }),
    z.strictObject({ kind: z.literal("count"), atCount: z.optional(Times), every: z.optional(Times) }).check(
      z.refine((t) => (t.atCount === undefined) !== (t.every === undefined), {
        message: "give either atCount (award once, on the Nth event) or every (award on every Nth event)",
      }),
    ),
    z.strictObject({
      kind: z.literal("streak"),
      period: RulePeriod,
      length: z
        .number()
        .check(z.int("must be a whole number"), z.gte(2, "a streak is at least 2 periods"), z.lte(366, "a streak is at most 366 periods")),
    }),
  ],
  { error: "kind is each, first, count or streak" },
);
export type Trigger = z.infer<typeof Trigger>;

export const AwardSchema = z
  .strictObject({ coins: z.optional(Amount), points: z.optional(PointsSchema) })
  .check(z.refine((a) => a.coins !== undefined || a.points !== undefined, { message: "award coins, points or both" }));

const Cap = z
  .strictObject({ period: RulePeriod, coins: z.optional(Amount), points: z.optional(Amount) })
  .check(z.refine((c) => c.coins !== undefined || c.points !== undefined, { message: "cap coins, points or both" }));

export const RuleDefinition = z
  .strictObject({
    name: localizedText(100),
    eventType: z
      .string()
      .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, "name the CloudEvents type, e.g. com.tianma.learning.course.completed")),
    when: z.optional(ConditionSchema),
    trigger: Trigger,
    award: AwardSchema,
    team: z.optional(z.strictObject({ split: z.literal("equal", { error: 'the only split is "equal"' }) })),
    cap: z.optional(Cap),
  })
  .check(
    z.superRefine((rule, ctx) => {
      for (const asset of ["coins", "points"] as const) {
        if (rule.cap?.[asset] !== undefined && rule.award[asset] === undefined) {
          ctx.addIssue({ code: "custom", path: ["cap", asset], message: `the award gives no ${asset} to cap` });
        }
      }
    }),
  )
  .register(z.globalRegistry, { id: "RuleDefinition" });
export type RuleDefinition = z.infer<typeof RuleDefinition>;

export type Rule = RuleDefinition & RuleRef;

export interface AchievementEvent {
  sourceId: string;
  eventId: string;
  type: string;
  /** The person the event is about; team events name their team in `data.team` instead. */
  subject?: PersonId;
  time: string;
  data: Record<string, unknown>;
}

export interface Grant {
  personId: PersonId;
  rule: RuleRef;
  reason: string;
  cause: Cause;
  coins?: number;
  points?: { capability: Capability; amount: number };
}

/** Cap periods kept per rule and person: enough for events that arrive a little late. */
const capPeriodsKept = 4;

/**
 * Rule ids are admin input and key plain records: they are read as own properties only and
 * written as computed keys of literals, so that ids such as "constructor" or "__proto__" are safe.
 */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

export const ruleCount = (state: RuleState, ruleId: string): number => own(state.rules, ruleId)?.count ?? 0;

type Test = (data: Record<string, unknown>) => boolean;

function compilePath(field: string): (data: Record<string, unknown>) => unknown {
  const segments = field.split(".");
  return (data) => {
    let value: unknown = data;
    for (const segment of segments) {
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
    return value;
  };
}

function compileCondition(condition: Condition): Test {
  if ("all" in condition) {
    const parts = condition.all.map(compileCondition);
    return (data) => parts.every((part) => part(data));
  }
  if ("any" in condition) {
    const parts = condition.any.map(compileCondition);
    return (data) => parts.some((part) => part(data));
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not);
    return (data) => !inner(data);
  }
  const read = compilePath(condition.field);
  switch (condition.op) {
    case "exists":
      return (data) => read(data) !== undefined;
    case "in": {
      const values = new Set<unknown>(condition.values);
      return (data) => values.has(read(data));
    }
    case "eq":
    case "ne": {
      const { value, op } = condition;
      return (data) => {
        const actual = read(data);
        return actual !== undefined && (actual === value) === (op === "eq");
      };
    }
    default: {
      const { value } = condition;
      // Both sides are numbers or both strings (checked below); the casts only let TS order them.
      const holds = {
        gt: (a: number) => a > (value as number),
        gte: (a: number) => a >= (value as number),
        lt: (a: number) => a < (value as number),
        lte: (a: number) => a <= (value as number),
      }[condition.op];
      return (data) => {
        const actual = read(data);
        return typeof actual === typeof value && holds(actual as number);
      };
    }
  }
}

interface CompiledRule {
  rule: Rule;
  test: Test;
}

/** Rules indexed by event type with their conditions compiled: build once, evaluate many events. */
export interface CompiledRules {
  byType: ReadonlyMap<string, readonly CompiledRule[]>;
}

export function compileRules(rules: readonly Rule[]): CompiledRules {
  const byType = new Map<string, CompiledRule[]>();
  const seen = new Set<string>();
  for (const rule of rules) {
    // Progress is kept by rule id, so two live versions of one rule would count each event twice.
    if (seen.has(rule.ruleId)) {
      throw new DomainError(
        "unprocessable",
        "duplicate-rule-id",
        `Rule "${rule.ruleId}" is given twice; evaluate one version of each rule.`,
        {
          ruleId: rule.ruleId,
        },
      );
    }
    seen.add(rule.ruleId);
    const compiled = { rule, test: rule.when ? compileCondition(rule.when) : () => true };
    byType.set(rule.eventType, [...(byType.get(rule.eventType) ?? []), compiled]);
  }
  return { byType };
}

/** The version of each rule that evaluates events of `eventType`: what an event record keeps of the rulebook. */
export function ruleVersionsFor(rules: CompiledRules, eventType: string): Record<string, number> {
  return Object.fromEntries((rules.byType.get(eventType) ?? []).map(({ rule }) => [rule.ruleId, rule.version]));
}

/** Equal shares by largest remainder: the first `amount mod parts` shares get one unit more. */
export function splitEqually(amount: number, parts: number): number[] {
  const base = Math.floor(amount / parts);
  const remainder = amount - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < remainder ? 1 : 0));
}

interface Placed<T> {
  kept: Record<string, T>;
  pruned?: Record<string, T>;
  newest: string;
}

/**
 * Makes room for `key` in a window of the newest `keep` periods of one kind. Keys of one kind
 * sort in time order, so only a new period costs any date arithmetic. Returns undefined for a
 * period already older than the window.
 */
function placeInWindow<T>(window: Readonly<Record<string, T>>, key: string, keep: number): Placed<T> | undefined {
  const keys = Object.keys(window);
  let newest = key;
  for (const k of keys) if (k > newest) newest = k;
  if (Object.hasOwn(window, key) || keys.length === 0) return { kept: { ...window }, newest };
  const oldestKept = previousPeriodKey(newest, keep - 1);
  if (key < oldestKept) return undefined;
  const kept: Record<string, T> = {};
  const pruned: Record<string, T> = {};
  for (const k of keys) (k >= oldestKept ? kept : pruned)[k] = window[k] as T;
  return Object.keys(pruned).length > 0 ? { kept, pruned, newest } : { kept, newest };
}

/** Takes one event's part out of a window; if it was the event that moved the window on, the pruned periods come back. */
function withdrawFromWindow<T>(
  window: Readonly<Record<string, T>>,
  key: string,
  withdraw: (value: T) => T | undefined,
  pruned: Readonly<Record<string, T>> | undefined,
): Record<string, T> {
  const next = { ...window };
  const value = own(next, key);
  if (value !== undefined) {
    const left = withdraw(value);
    if (left === undefined) delete next[key];
    else next[key] = left;
  }
  if (pruned && value !== undefined && !Object.hasOwn(next, key) && Object.keys(next).every((k) => k < key)) Object.assign(next, pruned);
  return next;
}

const streakUnits: Record<z.infer<typeof RulePeriod>, string> = { day: "天", week: "周", month: "个月" };

/** Counts the event for one person and says whether the trigger fires, with the words for the reason. */
function advance(
  rule: Rule,
  personId: PersonId,
  before: RuleProgress | undefined,
  periodOf: (period: Period) => string,
): { progress: RuleProgress; effect: RuleEffect; fired?: string } {
  const progress: RuleProgress = { ...before, count: (before?.count ?? 0) + 1 };
  const effect: RuleEffect = { personId, ruleId: rule.ruleId };
  const trigger = rule.trigger;
  switch (trigger.kind) {
    case "each":
      return { progress, effect, fired: "" };
    case "first":
    case "count": {
      // Awards due rather than "count reached", so that a retracted earlier event cannot award twice.
      const due =
        trigger.kind === "first"
          ? 1
          : trigger.every !== undefined
            ? Math.floor(progress.count / trigger.every)
            : Number(trigger.atCount !== undefined && progress.count >= trigger.atCount);
      const awarded = before?.awarded ?? 0;
      if (due <= awarded) return { progress, effect };
      progress.awarded = awarded + 1;
      effect.awarded = 1;
      return { progress, effect, fired: trigger.kind === "first" ? "首次" : `累计 ${progress.count} 次` };
    }
    case "streak": {
      const key = periodOf(trigger.period);
      const placed = placeInWindow(before?.streak?.periods ?? {}, key, trigger.length);
      if (!placed) return { progress, effect };
      const periods = placed.kept;
      periods[key] = (periods[key] ?? 0) + 1;
      const previousAwardedAt = before?.streak?.awardedAt;
      progress.streak = previousAwardedAt === undefined ? { periods } : { periods, awardedAt: previousAwardedAt };
      effect.streak = placed.pruned ? { period: key, pruned: placed.pruned } : { period: key };
      // The window holds only the last `length` periods, so a full window is an unbroken streak.
      const complete =
        periods[key] === 1 &&
        Object.keys(periods).length === trigger.length &&
        (previousAwardedAt === undefined || previousAwardedAt < previousPeriodKey(placed.newest, trigger.length - 1));
      if (!complete) return { progress, effect };
      progress.streak.awardedAt = placed.newest;
      effect.streak.awardedAt = placed.newest;
      if (previousAwardedAt !== undefined) effect.streak.previousAwardedAt = previousAwardedAt;
      return { progress, effect, fired: `连续 ${trigger.length} ${streakUnits[trigger.period]}` };
    }
  }
}

/** The grant's cause: the rule's names and what made it fire, for the reader's language. */
function ruleCause(rule: Rule, progress: RuleProgress, teamSize: number | undefined): Cause {
  const trigger = rule.trigger;
  const fired: RuleTrigger =
    trigger.kind === "count"
      ? { kind: "count", times: progress.count }
      : trigger.kind === "streak"
        ? { kind: "streak", length: trigger.length, period: trigger.period }
        : { kind: trigger.kind };
  return {
    code: "rule",
    params: { ruleId: rule.ruleId, rule: rule.name, trigger: fired, ...(teamSize === undefined ? {} : { teamSize }) },
  };
}

/** Reduces an award to what the person's cap for the period leaves, and books what is granted. */
function applyCap(
  rule: Rule,
  progress: RuleProgress,
  effect: RuleEffect,
  wanted: CapUsage,
  periodOf: (period: Period) => string,
  notes: string[],
) {
  const cap = rule.cap;
  if (!cap) return wanted;
  const key = periodOf(cap.period);
  const placed = placeInWindow(progress.caps ?? {}, key, capPeriodsKept);
  const nothing = { coins: 0, points: 0 };
  if (!placed) {
    notes.push(
      `Rule "${rule.ruleId}": the event's ${cap.period} ${key} is too old to check the cap for ${effect.personId}; nothing is awarded.`,
    );
    return nothing;
  }
  const used = placed.kept[key] ?? nothing;
  const granted = {
    coins: Math.min(wanted.coins, Math.max(0, (cap.coins ?? Number.POSITIVE_INFINITY) - used.coins)),
    points: Math.min(wanted.points, Math.max(0, (cap.points ?? Number.POSITIVE_INFINITY) - used.points)),
  };
  const reduced = (["coins", "points"] as const).filter((asset) => granted[asset] < wanted[asset]);
  if (reduced.length > 0) {
    const what = reduced.map((asset) => `${granted[asset]} of ${wanted[asset]} ${asset}`).join(" and ");
    const dropped = granted.coins + granted.points === 0 ? "; nothing is awarded" : "";
    notes.push(`Rule "${rule.ruleId}": the ${cap.period} cap for ${key} leaves ${effect.personId} ${what}${dropped}.`);
  }
  if (granted.coins + granted.points === 0) return nothing;
  placed.kept[key] = { coins: used.coins + granted.coins, points: used.points + granted.points };
  progress.caps = placed.kept;
  effect.cap = { period: key, ...granted, ...(placed.pruned ? { pruned: placed.pruned } : {}) };
  return granted;
}

export interface EvaluationInput {
  rules: CompiledRules | readonly Rule[];
  event: AchievementEvent;
  states: ReadonlyMap<PersonId, RuleState>;
  /** The members of the team named by a team event; each gets a share of a team rule's award. */
  members?: readonly PersonId[];
  timeZone?: string;
}

export interface Evaluation {
  grants: Grant[];
  /** Every state given, with the progress of the people the event concerns brought up to date. */
  states: Map<PersonId, RuleState>;
  effects: RuleEffect[];
  notes: string[];
}

/**
 * Evaluates one event against every rule for its type. Team rules split their award among the
 * members, sorted by person id: the first `amount mod members` of them get one unit more; each
 * member's share then goes through the trigger and cap on that member's own progress.
 */
export function evaluateEvent(input: EvaluationInput): Evaluation {
  const { event } = input;
  const compiled = "byType" in input.rules ? input.rules : compileRules(input.rules);
  const result: Evaluation = { grants: [], states: new Map(input.states), effects: [], notes: [] };
  const candidates = compiled.byType.get(event.type);
  if (!candidates) return result;

  const timeZone = input.timeZone ?? defaultTimeZone;
  const keys = new Map<Period, string>();
  const periodOf = (period: Period) => {
    let key = keys.get(period);
    if (key === undefined) {
      key = periodKey(event.time, period, timeZone);
      keys.set(period, key);
    }
    return key;
  };
  let team: PersonId[] | undefined;

  for (const { rule, test } of candidates) {
    if (!test(event.data)) continue;
    if (rule.team) team ??= [...new Set(input.members ?? [])].sort();
    const people = rule.team ? (team ?? []) : event.subject !== undefined ? [event.subject] : [];
    if (people.length === 0) {
      const missing = rule.team ? "no team members were given" : "the event names no subject";
      result.notes.push(`Rule "${rule.ruleId}" matches, but ${missing}; nothing is awarded.`);
      continue;
    }
    const coins = splitEqually(rule.award.coins ?? 0, people.length);
    const points = splitEqually(rule.award.points?.amount ?? 0, people.length);

    people.forEach((personId, i) => {
      const state = result.states.get(personId) ?? emptyRuleState();
      const { progress, effect, fired } = advance(rule, personId, own(state.rules, rule.ruleId), periodOf);
      const share = { coins: coins[i] ?? 0, points: points[i] ?? 0 };
      const granted =
        fired !== undefined && share.coins + share.points > 0 ? applyCap(rule, progress, effect, share, periodOf, result.notes) : undefined;
      result.states.set(personId, { ...state, rules: { ...state.rules, [rule.ruleId]: progress } });
      result.effects.push(effect);
      if (!granted || granted.coins + granted.points === 0) return;
      const why = [fired, rule.team ? `团队 ${people.length} 人均分` : ""].filter(Boolean).join("，");
      result.grants.push({
        personId,
        rule: { ruleId: rule.ruleId, version: rule.version },
        reason: why ? `${rule.name.zh}（${why}）` : rule.name.zh,
        cause: ruleCause(rule, progress, rule.team ? people.length : undefined),
        ...(granted.coins > 0 ? { coins: granted.coins } : {}),
        ...(granted.points > 0 && rule.award.points
          ? { points: { capability: rule.award.points.capability as Capability, amount: granted.points } }
          : {}),
      });
    });
  }
  return result;
}

function withdrawProgress(progress: RuleProgress, effect: RuleEffect): RuleProgress | undefined {
  const next: RuleProgress = { ...progress, count: progress.count - 1 };
  if (effect.awarded) {
    const awarded = (progress.awarded ?? 0) - 1;
    if (awarded > 0) next.awarded = awarded;
    else delete next.awarded;
  }
  const streak = progress.streak;
  if (effect.streak && streak) {
    const { period, pruned, awardedAt: set, previousAwardedAt } = effect.streak;
    const periods = withdrawFromWindow(streak.periods, period, (n) => (n > 1 ? n - 1 : undefined), pruned);
    const awardedAt = set !== undefined && streak.awardedAt === set ? previousAwardedAt : streak.awardedAt;
    if (awardedAt !== undefined) next.streak = { periods, awardedAt };
    else if (Object.keys(periods).length > 0) next.streak = { periods };
    else delete next.streak;
  }
  if (effect.cap && progress.caps) {
    const { period, coins, points, pruned } = effect.cap;
    const caps = withdrawFromWindow(
      progress.caps,
      period,
      (used) => (used.coins > coins || used.points > points ? { coins: used.coins - coins, points: used.points - points } : undefined),
      pruned,
    );
    if (Object.keys(caps).length > 0) next.caps = caps;
    else delete next.caps;
  }
  return next.count > 0 || next.awarded !== undefined || next.streak !== undefined || next.caps !== undefined ? next : undefined;
}

/** Takes back exactly what `evaluateEvent` recorded for a retracted event. */
export function undoEffects(states: ReadonlyMap<PersonId, RuleState>, effects: readonly RuleEffect[]): Map<PersonId, RuleState> {
  const next = new Map(states);
  for (const effect of effects.toReversed()) {
    const state = next.get(effect.personId);
    const progress = state && own(state.rules, effect.ruleId);
    if (!state || !progress) continue;
    const left = withdrawProgress(progress, effect);
    const rules = { ...state.rules, [effect.ruleId]: left };
    if (!left) delete rules[effect.ruleId];
    next.set(effect.personId, { ...state, rules: rules as Record<string, RuleProgress> });
  }
  return next;
}
