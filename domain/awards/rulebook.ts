/** Admin use cases for award rules and badges: versioned definitions, checked for consistency. */

import { assertRole, type Caller } from "../directory/index.ts";
import {
  type ChangeResult,
  DefinitionChanges,
  type DefinitionStore,
  type DefinitionView,
  definitionView,
  type FourEyesPolicy,
  type ProposalView,
} from "../kernel/definitions.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import type { PeopleDryRunRequest } from "../kernel/schemas.ts";
import { emptyRuleState, type LedgerStore, type RuleState, readNamedPeople } from "../ledger/index.ts";
import { progressOf } from "./awarding.ts";
import { type BadgeDefinition, badgeStanding, checkBadgeDefinition } from "./badges.ts";
import { CloudEvent } from "./cloudevents.ts";
import { compileRules, evaluateEvent, type Grant, type RuleDefinition } from "./rules.ts";

/** What a rule pays per event, before any team split: what four eyes weighs. */
export const awardPerEvent = (rule: RuleDefinition): number => (rule.award.coins ?? 0) + (rule.award.points?.amount ?? 0);

export class RuleBook {
  readonly #definitions: DefinitionStore;
  readonly #clock: Clock;
  readonly #changes: DefinitionChanges;

  readonly #people: LedgerStore["readPeople"];

  constructor(deps: { definitions: DefinitionStore; clock: Clock; people: LedgerStore["readPeople"]; fourEyes?: () => FourEyesPolicy }) {
    this.#definitions = deps.definitions;
    this.#clock = deps.clock;
    this.#people = deps.people;
    this.#changes = new DefinitionChanges(deps);
  }

  async putRule(caller: Caller, ruleId: string, rule: RuleDefinition, ifMatch?: number): Promise<ChangeResult<RuleDefinition>> {
    assertRole(caller, ["admin"]);
    return this.#changes.change(caller.personId, "rule", ruleId, rule, { awardPerEvent: awardPerEvent(rule), ifMatch });
  }

  async putBadge(caller: Caller, badgeId: string, badge: BadgeDefinition, ifMatch?: number): Promise<ChangeResult<BadgeDefinition>> {
    assertRole(caller, ["admin"]);
    const rules = await this.#definitions.list("rule");
    checkBadgeDefinition(badge, new Set(rules.map((r) => r.id)));
    return this.#changes.change(caller.personId, "badge", badgeId, badge, { ifMatch });
  }

  /** A second admin approves the change waiting for approval; its author cannot. */
  async approve<T>(caller: Caller, kind: "rule" | "badge", id: string, proposal: number): Promise<DefinitionView<T>> {
    assertRole(caller, ["admin"]);
    return this.#changes.approve<T>(caller.personId, kind, id, proposal);
  }

  /** The current version, and the change waiting for approval if there is one. */
  async get<T>(
    caller: Caller,
    kind: "rule" | "badge",
    id: string,
  ): Promise<(DefinitionView<T> & { pending?: ProposalView<T> }) | { id: string; version: 0; pending: ProposalView<T> }> {
    assertRole(caller, ["admin"]);
    return this.#changes.withPending<T, DefinitionView<T>>(kind, id, definitionView);
  }

  /**
   * How to earn coins and points, for managers: each rule's names, what it awards and how it
   * fires; not its conditions, sources or caps, which are the admins' business.
   */
  async rules() {
    return (await this.#definitions.list<RuleDefinition>("rule"))
      .map((r) => ({ ruleId: r.id, name: r.body.name, award: r.body.award, trigger: r.body.trigger, team: r.body.team !== undefined }))
      .sort((a, b) => a.ruleId.localeCompare(b.ruleId));
  }

  async badges(): Promise<DefinitionView<BadgeDefinition>[]> {
    return (await this.#definitions.list<BadgeDefinition>("badge")).map(definitionView).sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Evaluates sample events against a rule, carrying each person's progress from one event to
   * the next (from the given states, or from nothing), and writes nothing.
   */
  async dryRun(
    caller: Caller,
    ruleId: string,
    samples: { events: Record<string, unknown>[]; states?: Record<string, unknown> | undefined; pending?: boolean | undefined },
  ) {
    assertRole(caller, ["admin"]);
    const stored = await this.#dryRunVersion<RuleDefinition>("rule", ruleId, samples.pending === true);
    const rules = compileRules([{ ...stored.body, ruleId, version: stored.version }]);
    let states = new Map<PersonId, RuleState>(
      Object.entries(samples.states ?? {}).map(([id, state]) => [id as PersonId, (state as RuleState) ?? emptyRuleState()]),
    );
    const results: { id: string; grants: Grant[]; notes: string[] }[] = [];
    for (const [index, sample] of samples.events.entries()) {
      const parsed = CloudEvent.safeParse({ specversion: "1.0", source: "dry-run", time: this.#clock.now().toISOString(), ...sample });
      if (!parsed.success) {
        throw new DomainError(
          "invalid",
          "event-invalid",
          `Sample event ${index + 1} is not a valid CloudEvent: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`,
        );
      }
      const event = parsed.data;
      const evaluation = evaluateEvent({
        rules,
        event: {
          sourceId: "dry-run",
          eventId: event.id,
          type: event.type,
          ...(event.subject ? { subject: event.subject as PersonId } : {}),
          time: event.time,
          data: event.data,
        },
        states,
        members: Array.isArray(event.data.members) ? (event.data.members as PersonId[]) : [],
      });
      states = evaluation.states;
      results.push({ id: event.id, grants: evaluation.grants, notes: evaluation.notes });
    }
    return { rule: { ruleId, version: stored.version }, results, states: Object.fromEntries(states) };
  }

  /**
   * Who would hold which level of a badge (the current version, or with `pending` the change
   * waiting for approval): its levels evaluated on the chosen people's points and rule counts now.
   * Writes nothing; people not in the directory are named apart.
   */
  async dryRunBadge(caller: Caller, badgeId: string, request: PeopleDryRunRequest) {
    assertRole(caller, ["admin"]);
    const pending = request.pending === true;
    const [stored, named] = await Promise.all([
      this.#dryRunVersion<BadgeDefinition>("badge", badgeId, pending),
      readNamedPeople(this.#people, request.personIds),
    ]);
    const badge = { ...stored.body, badgeId };
    const people = named.found.map(({ personId, person, chain, ruleState }) => ({
      personId,
      name: person.name,
      ...badgeStanding(badge, progressOf(chain, ruleState)),
    }));
    return {
      badge: { badgeId, version: stored.version, pending },
      levels: badge.levels.map(({ level, name }) => ({ level, name, holders: people.filter((p) => p.justified.includes(level)).length })),
      people,
      unknown: named.unknown,
    };
  }

  /** The current version, or the pending change as the version it would become. */
  async #dryRunVersion<T>(kind: "rule" | "badge", id: string, pending: boolean): Promise<{ version: number; body: T }> {
    if (pending) return this.#changes.pendingVersion<T>(kind, id);
    const stored = await this.#definitions.get<T>(kind, id);
    if (!stored) throw new NotFoundError(kind, id);
    return stored;
  }
}
