/**
 * Badge levels in a backtest: for each person the replay touched, the levels their points (by
 * capability) and rule counts reach at the end of the replay, under the rules as they were and
 * under the draft; per org unit and level, how many people reach it on each side. Both sides are
 * reckoned the same way from the replayed events only (what a person earned before the replay
 * started and what badge levels grant are not in it), so a replay from the start of history
 * compares like with like.
 */
import {
  type AchievementEvent,
  type Badge,
  badgeLevelsReached,
  type CompiledRules,
  evaluateEvent,
  type Grant,
  undoEffects,
} from "../awards/index.ts";
import type { AssetKey, Capability, OrgUnitId, PersonId } from "../kernel/model.ts";
import { type AwardView, emptyRuleState, type RuleEffect, type RuleState } from "../ledger/index.ts";

export interface BadgeRow {
  orgUnitId: string;
  badgeId: string;
  level: number;
  /** People who reach the level under the rules as they were, and under the draft. */
  actual: number;
  wouldBe: number;
  change: number;
}

type Points = Map<PersonId, Map<Capability, number>>;
type PointMoves = [PersonId, Capability, number][];

/** What undoing a replayed event (its retraction) takes back. */
export interface BadgeUndo {
  effects: RuleEffect[];
  actual: PointMoves;
  wouldBe: PointMoves;
}

const move = (points: Points, moves: PointMoves, sign: 1 | -1) => {
  for (const [personId, capability, amount] of moves) {
    const person = points.get(personId) ?? new Map<Capability, number>();
    person.set(capability, (person.get(capability) ?? 0) + sign * amount);
    points.set(personId, person);
  }
};

export class BadgeTally {
  readonly #badges: readonly Badge[];
  readonly #current: CompiledRules;
  readonly #timeZone: string;
  /** Rule progress under the rules as they were (the draft's side is the replay's own). */
  readonly #states = new Map<PersonId, RuleState>();
  readonly #actual: Points = new Map();
  readonly #wouldBe: Points = new Map();

  constructor(badges: readonly Badge[], current: CompiledRules, timeZone: string) {
    this.#badges = badges;
    this.#current = current;
    this.#timeZone = timeZone;
  }

  replay(event: AchievementEvent, members: PersonId[], awarded: readonly AwardView[], grants: readonly Grant[]): BadgeUndo {
    const evaluation = evaluateEvent({ rules: this.#current, event, states: this.#states, members, timeZone: this.#timeZone });
    for (const [personId, state] of evaluation.states) this.#states.set(personId, state);
    const actual = awarded.flatMap(
      (a): PointMoves =>
        a.kind === "award" && a.asset.startsWith("point:") ? [[a.personId, a.asset.slice("point:".length) as Capability, a.amount]] : [],
    );
    const wouldBe = grants.flatMap((g): PointMoves => (g.points ? [[g.personId, g.points.capability, g.points.amount]] : []));
    move(this.#actual, actual, 1);
    move(this.#wouldBe, wouldBe, 1);
    return { effects: evaluation.effects, actual, wouldBe };
  }

  undo({ effects, actual, wouldBe }: BadgeUndo): void {
    for (const [personId, state] of undoEffects(this.#states, effects)) this.#states.set(personId, state);
    move(this.#actual, actual, -1);
    move(this.#wouldBe, wouldBe, -1);
  }

  /** Everyone the replay touched. */
  people(draftStates: ReadonlyMap<PersonId, RuleState>): Set<PersonId> {
    return new Set([...this.#actual.keys(), ...this.#wouldBe.keys(), ...this.#states.keys(), ...draftStates.keys()]);
  }

  /** The levels a person would reach under the draft and not as the rules were, and the reverse. */
  changes(personId: PersonId, draftState: RuleState | undefined): { gained: AssetKey[]; lost: AssetKey[] } {
    const actual = this.#reached(this.#actual.get(personId), this.#states.get(personId));
    const wouldBe = this.#reached(this.#wouldBe.get(personId), draftState);
    return { gained: wouldBe.filter((a) => !actual.includes(a)), lost: actual.filter((a) => !wouldBe.includes(a)) };
  }

  /** Per org unit and level, the people reaching it on each side; `draftStates` is the replay's rule progress under the draft. */
  rows(draftStates: ReadonlyMap<PersonId, RuleState>, unitOf: (personId: PersonId) => OrgUnitId | undefined, noUnit: string): BadgeRow[] {
    const people = this.people(draftStates);
    const tally = new Map<string, { actual: number; wouldBe: number }>();
    const count = (personId: PersonId, levels: AssetKey[], side: "actual" | "wouldBe") => {
      for (const asset of levels) {
        const key = `${unitOf(personId) ?? noUnit}\u0000${asset}`;
        const row = tally.get(key) ?? { actual: 0, wouldBe: 0 };
        row[side] += 1;
        tally.set(key, row);
      }
    };
    for (const personId of people) {
      count(personId, this.#reached(this.#actual.get(personId), this.#states.get(personId)), "actual");
      count(personId, this.#reached(this.#wouldBe.get(personId), draftStates.get(personId)), "wouldBe");
    }
    return [...tally]
      .map(([key, { actual, wouldBe }]) => {
        const [orgUnitId, asset] = key.split("\u0000") as [string, string];
        const [, badgeId, level] = asset.split(":") as [string, string, string];
        return { orgUnitId, badgeId, level: Number(level), actual, wouldBe, change: wouldBe - actual };
      })
      .sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId) || a.badgeId.localeCompare(b.badgeId) || a.level - b.level);
  }

  #reached(points: Map<Capability, number> | undefined, ruleState: RuleState | undefined): AssetKey[] {
    if (!ruleState && !points) return [];
    const progress = {
      pointsByCapability: Object.fromEntries(points ?? []) as Partial<Record<Capability, number>>,
      ruleState: ruleState ?? emptyRuleState(),
      heldLevels: new Set<AssetKey>(),
    };
    return badgeLevelsReached(this.#badges, progress).map((change) => change.asset);
  }
}
