/**
 * Admins define promotion gates: each change checked against the badges it asks for, and under
 * four eyes a proposal until a second admin approves it (docs/SECURITY.md).
 */
import type { BadgeDefinition } from "../awards/index.ts";
import { assertRole, type Caller } from "../directory/index.ts";
import { type ChangeResult, DefinitionChanges, type DefinitionStore, type FourEyesPolicy } from "../kernel/definitions.ts";
import { DomainError } from "../kernel/errors.ts";
import type { Clock } from "../kernel/ports.ts";
import type { GateDefinition } from "./gates.ts";

export class GateBook {
  readonly #deps: { definitions: DefinitionStore };
  readonly #changes: DefinitionChanges;

  constructor(deps: { definitions: DefinitionStore; clock: Clock; fourEyes?: () => FourEyesPolicy }) {
    this.#deps = deps;
    this.#changes = new DefinitionChanges(deps);
  }

  async putGate(caller: Caller, gateId: string, gate: GateDefinition, ifMatch?: number): Promise<ChangeResult<GateDefinition>> {
    assertRole(caller, ["admin"]);
    const badges = new Map((await this.#deps.definitions.list<BadgeDefinition>("badge")).map((b) => [b.id, b.body]));
    for (const criterion of gate.criteria) {
      if (criterion.kind !== "badge") continue;
      const badge = badges.get(criterion.badgeId);
      if (!badge)
        throw new DomainError(
          "unprocessable",
          "gate-badge-unknown",
          `The gate asks for badge "${criterion.badgeId}", which does not exist.`,
          { badgeId: criterion.badgeId },
        );
      if (!badge.levels.some((l) => l.level === criterion.minLevel)) {
        throw new DomainError(
          "unprocessable",
          "gate-badge-level-unknown",
          `Badge "${criterion.badgeId}" has no level ${criterion.minLevel}.`,
          { badgeId: criterion.badgeId },
        );
      }
    }
    return this.#changes.change(caller.personId, "gate", gateId, gate, { ifMatch });
  }

  /** A second admin approves the gate change waiting for approval; its author cannot. */
  async approveGate(caller: Caller, gateId: string, proposal: number) {
    assertRole(caller, ["admin"]);
    return this.#changes.approve<GateDefinition>(caller.personId, "gate", gateId, proposal);
  }
}
