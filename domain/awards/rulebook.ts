/** Admin use cases for award rules and badges: versioned definitions, checked for consistency. */

import { assertRole, type Caller } from "../directory/index.ts";
import type { DefinitionKind, DefinitionStore, Versioned } from "../kernel/definitions.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import { emptyRuleState, type RuleState } from "../ledger/index.ts";
import { type BadgeDefinition, checkBadgeDefinition } from "./badges.ts";
import { CloudEvent } from "./cloudevents.ts";
import { compileRules, evaluateEvent, type Grant, type RuleDefinition } from "./rules.ts";

export interface DefinitionView<T> {
  id: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
  definition: T;
}

const viewOf = <T>(v: Versioned<T>): DefinitionView<T> => ({
  id: v.id,
  version: v.version,
  updatedAt: v.updatedAt,
  updatedBy: v.updatedBy,
  definition: v.body,
});

export class RuleBook {
  readonly #definitions: DefinitionStore;
  readonly #clock: Clock;

  constructor(deps: { definitions: DefinitionStore; clock: Clock }) {
    this.#definitions = deps.definitions;
    this.#clock = deps.clock;
  }

  async putRule(caller: Caller, ruleId: string, rule: RuleDefinition): Promise<DefinitionView<RuleDefinition>> {
    assertRole(caller, ["admin"]);
    return this.#put("rule", caller, ruleId, rule);
  }

  async putBadge(caller: Caller, badgeId: string, badge: BadgeDefinition): Promise<DefinitionView<BadgeDefinition>> {
    assertRole(caller, ["admin"]);
    const rules = await this.#definitions.list("rule");
    checkBadgeDefinition(badge, new Set(rules.map((r) => r.id)));
    return this.#put("badge", caller, badgeId, badge);
  }

  async get<T>(caller: Caller, kind: "rule" | "badge", id: string): Promise<DefinitionView<T>> {
    assertRole(caller, ["admin"]);
    const found = await this.#definitions.get<T>(kind, id);
    if (!found) throw new NotFoundError(kind, id);
    return viewOf(found);
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
    return (await this.#definitions.list<BadgeDefinition>("badge")).map(viewOf).sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Evaluates sample events against a rule, carrying each person's progress from one event to
   * the next (from the given states, or from nothing), and writes nothing.
   */
  async dryRun(
    caller: Caller,
    ruleId: string,
    samples: { events: Record<string, unknown>[]; states?: Record<string, unknown> | undefined },
  ) {
    assertRole(caller, ["admin"]);
    const stored = await this.#definitions.get<RuleDefinition>("rule", ruleId);
    if (!stored) throw new NotFoundError("rule", ruleId);
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

  async #put<T>(kind: DefinitionKind, caller: Caller, id: string, body: T): Promise<DefinitionView<T>> {
    const current = await this.#definitions.get<T>(kind, id);
    const next: Versioned<T> = {
      id,
      version: (current?.version ?? 0) + 1,
      updatedAt: this.#clock.now().toISOString(),
      updatedBy: caller.personId,
      body,
    };
    await this.#definitions.put(kind, next, current?.version ?? 0);
    return viewOf(next);
  }
}
