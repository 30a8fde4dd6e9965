/**
 * A lead's team at a glance, in one request: each member's coins, points and where they stand
 * against the gate of their tier, in the order of the org tree (a unit, then the units below it;
 * in each, its lead first). Every person is access-checked on their own: a lead sees the units
 * they lead and below, hr and admin any unit. Like every eligibility check, it is audited.
 */
import { type Caller, canRead, type OrgTree, type Person } from "../directory/index.ts";
import type { Versioned } from "../kernel/definitions.ts";
import { ForbiddenError, NotFoundError } from "../kernel/errors.ts";
import { type AssetKey, type OrgUnitId, parseAsset } from "../kernel/model.ts";
import type { EligibilityDeps } from "./eligibility-service.ts";
import { evaluateGate, type GateDefinition } from "./gates.ts";

export interface TeamMember {
  personId: string;
  name: string;
  tier: string;
  orgUnitId: string;
  isLead: boolean;
  coins: number;
  points: number;
  /** Against the gate of the person's tier, when there is one. */
  gate?: { gateId: string; eligible: boolean; met: number; total: number };
}

const inFlight = 16;

/** Units of the subtree, each followed by the units below it (siblings in the tree's order). */
export function hierarchyOrder(tree: OrgTree, top: OrgUnitId): OrgUnitId[] {
  const units = tree.units();
  const out: OrgUnitId[] = [];
  const visit = (id: OrgUnitId) => {
    out.push(id);
    for (const child of units) if (child.parentId === id && !out.includes(child.orgUnitId)) visit(child.orgUnitId);
  };
  visit(top);
  return out;
}

export class TeamOverview {
  readonly #deps: EligibilityDeps;

  constructor(deps: EligibilityDeps) {
    this.#deps = deps;
  }

  async of(caller: Caller, orgUnitId: OrgUnitId) {
    const [tree, gates] = await Promise.all([this.#deps.orgTree(), this.#deps.definitions.list<GateDefinition>("gate")]);
    const unit = tree.get(orgUnitId);
    if (!unit) throw new NotFoundError("org-unit", orgUnitId);
    const order = hierarchyOrder(tree, orgUnitId);
    const everyone = (await Promise.all(order.map((id) => this.#deps.peopleIn(id)))).flat();
    const visible = everyone.filter((person) => canRead(caller, person, tree) && person.personId !== caller.personId);
    if (visible.length === 0 && !canReadUnit(caller, tree, orgUnitId)) {
      throw new ForbiddenError(`You may see the teams you lead; ${orgUnitId} is not among them.`);
    }
    const members: TeamMember[] = [];
    for (let i = 0; i < visible.length; i += inFlight) {
      members.push(...(await Promise.all(visible.slice(i, i + inFlight).map((p) => this.#member(p, tree, gates)))));
    }
    const rank = (m: TeamMember) => order.indexOf(m.orgUnitId as OrgUnitId);
    members.sort((a, b) => rank(a) - rank(b) || Number(b.isLead) - Number(a.isLead) || a.name.localeCompare(b.name, "zh-CN"));
    await this.#deps.store.audit({
      auditId: this.#deps.newId(),
      at: this.#deps.clock.now().toISOString(),
      actor: caller.personId,
      action: "team-overview",
      targets: members.map((m) => m.personId),
      details: { orgUnitId },
      outcome: `${members.length} members`,
    });
    const units = order.flatMap((id) => {
      const u = tree.get(id);
      return u ? [{ orgUnitId: u.orgUnitId, name: u.name, ...(u.parentId ? { parentId: u.parentId } : {}) }] : [];
    });
    return { orgUnit: { orgUnitId, name: unit.name }, units, members };
  }

  async #member(person: Person, tree: OrgTree, gates: readonly Versioned<GateDefinition>[]): Promise<TeamMember> {
    const snapshot = await this.#deps.store.now(person.personId);
    let coins = 0;
    let points = 0;
    for (const [key, amount] of Object.entries(snapshot.chain.balances) as [AssetKey, number][]) {
      const asset = parseAsset(key);
      if (asset.kind === "coin") coins = amount;
      if (asset.kind === "point") points += amount;
    }
    const gate = gates.find((g) => g.body.tier === person.tier);
    const member: TeamMember = {
      personId: person.personId,
      name: person.name,
      tier: person.tier,
      orgUnitId: person.orgUnitId,
      isLead: tree.get(person.orgUnitId)?.leadId === person.personId,
      coins,
      points,
    };
    if (!gate) return member;
    const result = evaluateGate(
      { gateId: gate.id, version: gate.version, definition: gate.body },
      {
        person,
        chain: snapshot.chain,
        measures: Object.values(snapshot.facts.measures),
        penalties: snapshot.facts.penalties,
        at: this.#deps.clock.now().toISOString(),
      },
    );
    const met = result.criteria.filter((c) => c.met).length;
    return { ...member, gate: { gateId: gate.id, eligible: result.eligible, met, total: result.criteria.length } };
  }
}

const canReadUnit = (caller: Caller, tree: OrgTree, unitId: OrgUnitId) =>
  caller.roles.includes("hr") ||
  caller.roles.includes("admin") ||
  (caller.roles.includes("manager") && tree.leads(caller.personId, unitId));
