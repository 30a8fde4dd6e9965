/**
 * Leaderboard use cases: a board for an org unit and a period (people of the unit's subtree, or
 * its child units against each other), the pioneer indices, and the opt-out preference. The
 * aggregates are kept by the projector (functions/background/projector.ts) from the ledger's stream.
 */

import { assertRole, type Caller, type Directory, isActive, type OrgTree, type OrgUnit, type Person } from "../directory/index.ts";
import {
  type ChangeResult,
  DefinitionChanges,
  type DefinitionStore,
  type DefinitionView,
  definitionView,
  type FourEyesPolicy,
  type Versioned,
} from "../kernel/definitions.ts";
import { DomainError, ForbiddenError, NotFoundError } from "../kernel/errors.ts";
import { type Capability, capabilities, type OrgUnitId, type PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import {
  type Aggregate,
  type BoardPeriod,
  boardOrder,
  boardPeriodKey,
  emptyAggregate,
  type Ranked,
  rankBoard,
  topAndSelf,
} from "./boards.ts";
import { type IndexDefinition, type IndexInput, indexScores, needsBadges } from "./indices.ts";
import type { LeaderboardStore, PeopleById, Preferences } from "./ports.ts";

export const anonymousName = "匿名 / Anonymous";

export interface BoardQuery {
  orgUnit?: string | undefined;
  period: BoardPeriod;
  /** An ISO date or date-time in the period wanted; default now. */
  at?: string | undefined;
  metric: string;
  by: "person" | "orgUnit";
  limit: number;
}

export type BoardMetric = { kind: "points" } | { kind: "capability"; capability: Capability } | { kind: "index"; indexId: string };

export function parseMetric(metric: string): BoardMetric {
  if (metric === "points") return { kind: "points" };
  const [kind, rest] = [metric.slice(0, metric.indexOf(":")), metric.slice(metric.indexOf(":") + 1)];
  if (kind === "points" && capabilities.includes(rest as Capability)) return { kind: "capability", capability: rest as Capability };
  if (kind === "index" && /^[A-Za-z0-9_-]{1,64}$/.test(rest)) return { kind: "index", indexId: rest };
  throw new DomainError(
    "invalid",
    "metric-invalid",
    `"${metric}" is not a metric: use points, points:<capability> (one of ${capabilities.join(", ")}) or index:<indexId>.`,
    { metric },
  );
}

export interface BoardRow {
  rank: number;
  score: number;
  /** The caller's own row (or, by org unit, the unit the caller belongs to). */
  self: boolean;
  /** By person: null when the person opted out and the caller is someone else. */
  personId?: string | null;
  orgUnitId?: string;
  name: string;
  anonymous?: true;
}

export interface BoardView {
  orgUnit: { orgUnitId: string; name: string };
  by: "person" | "orgUnit";
  metric: string;
  period: BoardPeriod;
  periodKey: string;
  timeZone: string;
  order: string;
  index?: { indexId: string; version: number; name: IndexDefinition["name"] };
  /** How many people (or units) the board ranks. */
  entrants: number;
  /** The top `limit`, and then the caller's own row when it is outside them. */
  entries: BoardRow[];
  me: BoardRow | null;
}

const readAnyBoard = ["admin", "hr"] as const;

/**
 * A manager sees the boards of the org units they belong to (their unit and every unit above
 * it: the arena they compete in) and of the units they lead (and below); hr and admin any.
 */
export function canSeeBoard(caller: Caller, callerPerson: Person | undefined, unitId: OrgUnitId, tree: OrgTree): boolean {
  if (caller.roles.some((role) => (readAnyBoard as readonly string[]).includes(role))) return true;
  if (callerPerson && tree.lineage(callerPerson.orgUnitId).some((unit) => unit.orgUnitId === unitId)) return true;
  return caller.roles.includes("manager") && tree.leads(caller.personId, unitId);
}

/** `at` as an instant: a bare date is taken at noon UTC, which is that same date in nearly every zone. */
function instantOf(at: string | undefined, clock: Clock): string {
  if (at === undefined) return clock.now().toISOString();
  return /^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T12:00:00Z` : at;
}

export class LeaderboardService {
  readonly #store: LeaderboardStore;
  readonly #directory: Directory & PeopleById;
  readonly #definitions: DefinitionStore;
  readonly #clock: Clock;
  readonly #timeZone: string;
  readonly #changes: DefinitionChanges;

  constructor(deps: {
    store: LeaderboardStore;
    directory: Directory & PeopleById;
    definitions: DefinitionStore;
    clock: Clock;
    timeZone: string;
    fourEyes?: () => FourEyesPolicy;
  }) {
    this.#changes = new DefinitionChanges(deps);
    this.#store = deps.store;
    this.#directory = deps.directory;
    this.#definitions = deps.definitions;
    this.#clock = deps.clock;
    this.#timeZone = deps.timeZone;
  }

  async board(caller: Caller, query: BoardQuery): Promise<BoardView> {
    const metric = parseMetric(query.metric);
    const [tree, callerPerson] = await Promise.all([this.#directory.orgTree(), this.#directory.person(caller.personId)]);
    const unitId = (query.orgUnit ?? callerPerson?.orgUnitId) as OrgUnitId | undefined;
    if (unitId === undefined) {
      throw new DomainError("invalid", "org-unit-missing", "Name the org unit of the board: ?orgUnit=<orgUnitId>.");
    }
    const unit = tree.get(unitId);
    if (!unit) throw new NotFoundError("org-unit", unitId);
    if (!canSeeBoard(caller, callerPerson, unitId, tree)) {
      throw new ForbiddenError(`You may see the boards of the org units you belong to or lead; ${unitId} is not among them.`);
    }
    const periodKey = boardPeriodKey(instantOf(query.at, this.#clock), query.period, this.#timeZone);
    const index = metric.kind === "index" ? await this.#index(metric.indexId) : undefined;
    const base = {
      orgUnit: { orgUnitId: unit.orgUnitId, name: unit.name },
      by: query.by,
      metric: query.metric,
      period: query.period,
      periodKey,
      timeZone: this.#timeZone,
      order: boardOrder,
      ...(index ? { index: { indexId: index.id, version: index.version, name: index.body.name } } : {}),
    };
    const standings =
      query.by === "person" && metric.kind === "points"
        ? await this.#standingsBoard(caller, callerPerson, tree, unit, periodKey, query.limit)
        : undefined;
    if (standings) return { ...base, ...standings };
    return query.by === "person"
      ? { ...base, ...(await this.#peopleBoard(caller, tree, unit, periodKey, metric, index?.body, query.limit)) }
      : { ...base, ...(await this.#unitBoard(callerPerson, tree, unit, periodKey, metric, index?.body, query.limit)) };
  }

  async #peopleBoard(
    caller: Caller,
    tree: OrgTree,
    unit: OrgUnit,
    periodKey: string,
    metric: BoardMetric,
    index: IndexDefinition | undefined,
    limit: number,
  ) {
    // Leavers no longer compete; their points stay in their own history.
    const people = (await Promise.all(tree.subtree(unit.orgUnitId).map((id) => this.#directory.peopleIn(id)))).flat().filter(isActive);
    const ids = people.map((p) => p.personId);
    const [aggregates, badges] = await Promise.all([
      this.#store.aggregates("person", ids, periodKey),
      index && needsBadges(index) ? this.#store.badges(ids) : Promise.resolve(new Map<PersonId, string[]>()),
    ]);
    const scores = scoresOf(metric, index, ids, aggregates, (id) => badges.get(id as PersonId) ?? []);
    const ranked = rankBoard(ids.map((id) => ({ id, score: scores.get(id) ?? 0 })));
    const { top, self } = topAndSelf(ranked, limit, caller.personId);
    const shown = self && !top.includes(self) ? [...top, self] : top;
    const preferences = await this.#store.preferences(shown.filter((row) => row.id !== caller.personId).map((row) => row.id as PersonId));
    const row = personRow(caller, new Map(people.map((p) => [p.personId as string, p])), preferences);
    return { entrants: ranked.length, entries: shown.map(row), me: self ? row(self) : null };
  }

  /**
   * A board by points from the standings the projector keeps (everyone with points in the period):
   * one Query, then only the rows shown are named. People without points in the period are not in
   * the standings, so a board whose shown rows reach zero or below (ties with them, listed by id, or
   * ranks below them) is ranked from every member's aggregate instead: undefined.
   */
  async #standingsBoard(caller: Caller, callerPerson: Person | undefined, tree: OrgTree, unit: OrgUnit, periodKey: string, limit: number) {
    const level = tree.lineage(unit.orgUnitId).length - 1;
    const standings = await this.#store.standings(unit.orgUnitId, level, periodKey);
    if (!standings) return undefined;
    const member = callerPerson !== undefined && tree.lineage(callerPerson.orgUnitId).some((u) => u.orgUnitId === unit.orgUnitId);
    const rows =
      member && !standings.some((row) => row.id === caller.personId) ? [...standings, { id: caller.personId, score: 0 }] : standings;
    const ranked = rankBoard(rows);
    const { top, self } = topAndSelf(ranked, limit, member ? caller.personId : undefined);
    if (top.length < limit || top.some((row) => row.score <= 0) || (self && self.score < 0)) return undefined;
    const shown = self && !top.includes(self) ? [...top, self] : top;
    const [people, preferences] = await Promise.all([
      this.#directory.people(shown.map((row) => row.id as PersonId)),
      this.#store.preferences(shown.filter((row) => row.id !== caller.personId).map((row) => row.id as PersonId)),
    ]);
    if (shown.some((row) => !people.has(row.id as PersonId))) return undefined;
    const row = personRow(caller, new Map([...people].map(([id, person]) => [id as string, person])), preferences);
    return { entrants: ranked.length, entries: shown.map(row), me: self ? row(self) : null };
  }

  async #unitBoard(
    callerPerson: Person | undefined,
    tree: OrgTree,
    unit: OrgUnit,
    periodKey: string,
    metric: BoardMetric,
    index: IndexDefinition | undefined,
    limit: number,
  ) {
    if (index && needsBadges(index)) {
      throw new DomainError(
        "unprocessable",
        "index-needs-people",
        "This index counts badge levels, which people hold and org units do not; rank people with it instead (by=person).",
      );
    }
    const children = tree.units().filter((u) => u.parentId === unit.orgUnitId);
    const ids = children.map((u) => u.orgUnitId as string);
    const aggregates = await this.#store.aggregates("unit", ids, periodKey);
    const scores = scoresOf(metric, index, ids, aggregates, () => []);
    const ranked = rankBoard(ids.map((id) => ({ id, score: scores.get(id) ?? 0 })));
    const mine = callerPerson ? tree.lineage(callerPerson.orgUnitId).find((u) => u.parentId === unit.orgUnitId)?.orgUnitId : undefined;
    const { top, self } = topAndSelf(ranked, limit, mine);
    const shown = self && !top.includes(self) ? [...top, self] : top;
    const row = (ranked: Ranked): BoardRow => ({
      rank: ranked.rank,
      score: ranked.score,
      self: ranked.id === mine,
      orgUnitId: ranked.id,
      name: tree.get(ranked.id as OrgUnitId)?.name ?? ranked.id,
    });
    return { entrants: ranked.length, entries: shown.map(row), me: self ? row(self) : null };
  }

  async #index(indexId: string): Promise<Versioned<IndexDefinition>> {
    const found = await this.#definitions.get<IndexDefinition>("index", indexId);
    if (!found) throw new NotFoundError("index", indexId);
    return found;
  }

  /** A new version of the index, or under four eyes a proposal waiting for a second admin. */
  async putIndex(caller: Caller, indexId: string, definition: IndexDefinition, ifMatch?: number): Promise<ChangeResult<IndexDefinition>> {
    assertRole(caller, ["admin"]);
    return this.#changes.change(caller.personId, "index", indexId, definition, { ifMatch });
  }

  /** A second admin approves the index change waiting for approval; its author cannot. */
  async approveIndex(caller: Caller, indexId: string, proposal: number): Promise<IndexView> {
    assertRole(caller, ["admin"]);
    return this.#changes.approve<IndexDefinition>(caller.personId, "index", indexId, proposal);
  }

  /** Admins manage indices; anyone signed in may rank by one (the board names its version). */
  async getIndex(caller: Caller, indexId: string) {
    assertRole(caller, ["admin", "hr"]);
    return this.#changes.withPending<IndexDefinition, IndexView>("index", indexId, definitionView);
  }

  async preferences(caller: Caller, personId: PersonId): Promise<Preferences> {
    assertSelf(caller, personId);
    return (
      (await this.#store.preferences([personId])).get(personId) ?? {
        personId,
        leaderboardOptOut: false,
        updatedAt: new Date(0).toISOString(),
      }
    );
  }

  async putPreferences(caller: Caller, personId: PersonId, body: { leaderboardOptOut: boolean }): Promise<Preferences> {
    assertSelf(caller, personId);
    const preferences: Preferences = { personId, leaderboardOptOut: body.leaderboardOptOut, updatedAt: this.#clock.now().toISOString() };
    await this.#store.putPreferences(preferences);
    return preferences;
  }
}

export type IndexView = DefinitionView<IndexDefinition>;

/** A board row of a person as `caller` may see it: by name, or anonymous when the person opted out and is someone else. */
const personRow =
  (caller: Caller, people: ReadonlyMap<string, Person>, preferences: ReadonlyMap<PersonId, Preferences>) =>
  (ranked: Ranked): BoardRow => {
    const person = people.get(ranked.id) as Person;
    const isSelf = ranked.id === caller.personId;
    if (!isSelf && preferences.get(person.personId)?.leaderboardOptOut) {
      return { rank: ranked.rank, score: ranked.score, self: false, personId: null, name: anonymousName, anonymous: true };
    }
    return {
      rank: ranked.rank,
      score: ranked.score,
      self: isSelf,
      personId: person.personId,
      orgUnitId: person.orgUnitId,
      name: person.name,
    };
  };

function assertSelf(caller: Caller, personId: PersonId): void {
  if (caller.personId !== personId) throw new ForbiddenError("Only the person themself may read or change their preferences.");
}

function scoresOf(
  metric: BoardMetric,
  index: IndexDefinition | undefined,
  ids: readonly string[],
  aggregates: ReadonlyMap<string, Aggregate>,
  badgesOf: (id: string) => string[],
): Map<string, number> {
  const aggregateOf = (id: string) => aggregates.get(id) ?? emptyAggregate();
  switch (metric.kind) {
    case "points":
      return new Map(ids.map((id) => [id, aggregateOf(id).points]));
    case "capability":
      return new Map(ids.map((id) => [id, aggregateOf(id).byCapability[metric.capability] ?? 0]));
    case "index":
      return indexScores(
        index as IndexDefinition,
        new Map(ids.map((id): [string, IndexInput] => [id, { aggregate: aggregateOf(id), badges: badgesOf(id) }])),
      );
  }
}
