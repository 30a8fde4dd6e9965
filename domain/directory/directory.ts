/**
 * The org directory: people, org units in one tree, and who may see whom (the permission
 * matrix of seed 004: a manager sees their own data and their teams', nothing else).
 */
import { DomainError, ForbiddenError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId, Role, Tier } from "../kernel/model.ts";

export const orgUnitKinds = ["group", "subsidiary", "department", "team"] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

export interface OrgUnit {
  orgUnitId: OrgUnitId;
  name: string;
  kind: OrgUnitKind;
  parentId?: OrgUnitId;
  leadId?: PersonId;
}

/** Where a person signs in outside Laurel: DingTalk and WeCom user ids, and the OIDC issuer's `sub`. */
export const identityProviders = ["dingtalk", "wecom", "oidc"] as const;
export type IdentityProvider = (typeof identityProviders)[number];

export interface Person {
  personId: PersonId;
  name: string;
  tier: Tier;
  /** The day the person entered their current tier (YYYY-MM-DD). */
  tierSince: string;
  orgUnitId: OrgUnitId;
  managerId?: PersonId;
  /** The person's id in the HR system (工号): how imported history finds them. */
  externalId?: string;
  /** The person's user id at each provider they sign in or are notified through; one person per id. */
  identities?: Partial<Record<IdentityProvider, string>>;
  /**
   * Roles held in the directory, for issuers whose tokens carry none (Laurel's token service, an
   * OIDC issuer configured with roles from the directory); set by admins, audited.
   */
  roles?: readonly Role[];
  /**
   * When the person left (was deactivated). A leaver's wallet is frozen, their balances and
   * history kept for HR and admins; reactivation clears it.
   */
  leftAt?: string;
  /** Moved by every change (SCIM's ETag) and when; kept by the store. */
  version?: number;
  updatedAt?: string;
}

export const isActive = (person: Person): boolean => person.leftAt === undefined;

/** A leaver's wallet takes no new movement: awards, deductions, redemptions, claims, take-ups. */
export function assertActive(person: Person): void {
  if (!isActive(person)) throw personInactive(person);
}

export function personInactive(person: Person): DomainError {
  return new DomainError(
    "conflict",
    "person-inactive",
    `${person.personId} left on ${person.leftAt?.slice(0, 10)}: their wallet is frozen until they are reactivated.`,
    { personId: person.personId, leftAt: person.leftAt },
  );
}

export interface Caller {
  personId: PersonId;
  roles: readonly Role[];
}

export class OrgTree {
  readonly #units: ReadonlyMap<OrgUnitId, OrgUnit>;

  constructor(units: Iterable<OrgUnit>) {
    this.#units = new Map([...units].map((unit) => [unit.orgUnitId, unit]));
  }

  units(): OrgUnit[] {
    return [...this.#units.values()];
  }

  get(unitId: OrgUnitId): OrgUnit | undefined {
    return this.#units.get(unitId);
  }

  /** The unit and every unit above it, nearest first. */
  lineage(unitId: OrgUnitId): OrgUnit[] {
    const lineage: OrgUnit[] = [];
    const seen = new Set<OrgUnitId>();
    for (
      let unit = this.#units.get(unitId);
      unit && !seen.has(unit.orgUnitId);
      unit = unit.parentId ? this.#units.get(unit.parentId) : undefined
    ) {
      seen.add(unit.orgUnitId);
      lineage.push(unit);
    }
    return lineage;
  }

  /** The unit and every unit below it. */
  subtree(unitId: OrgUnitId): OrgUnitId[] {
    return [...this.#units.values()]
      .filter((unit) => this.lineage(unit.orgUnitId).some((u) => u.orgUnitId === unitId))
      .map((u) => u.orgUnitId);
  }

  leads(personId: PersonId, unitId: OrgUnitId): boolean {
    return this.lineage(unitId).some((unit) => unit.leadId === personId);
  }

  /**
   * Checks that a unit can join the tree as given: its parent exists, only a group is a root,
   * and moving it does not put it under itself.
   */
  validate(unit: OrgUnit): void {
    if (unit.parentId === undefined) {
      if (unit.kind !== "group") {
        throw new DomainError(
          "unprocessable",
          "org-unit-without-parent",
          `Only a group can be a root org unit; give ${unit.orgUnitId} a parentId.`,
        );
      }
      return;
    }
    if (!this.#units.has(unit.parentId)) {
      throw new DomainError("unprocessable", "org-unit-parent-unknown", `The parent org unit "${unit.parentId}" does not exist.`, {
        parentId: unit.parentId,
      });
    }
    if (this.lineage(unit.parentId).some((u) => u.orgUnitId === unit.orgUnitId)) {
      throw new DomainError(
        "unprocessable",
        "org-unit-cycle",
        `Putting ${unit.orgUnitId} under ${unit.parentId} would make a cycle in the org tree.`,
      );
    }
  }
}

/** Roles that read any person's balances and history. */
const readAnyone: readonly Role[] = ["admin", "hr"];

/** A leaver is no longer anyone's team member: only hr and admin (and they themselves) read them. */
export function canRead(caller: Caller, target: Person, tree: OrgTree): boolean {
  if (caller.personId === target.personId) return true;
  if (caller.roles.some((role) => readAnyone.includes(role))) return true;
  return isActive(target) && caller.roles.includes("manager") && tree.leads(caller.personId, target.orgUnitId);
}

export function assertCanRead(caller: Caller, target: Person, tree: OrgTree): void {
  if (!canRead(caller, target, tree)) {
    throw new ForbiddenError(`You may read your own data and that of the teams you lead; ${target.personId} is not among them.`);
  }
}

export function assertRole(caller: Caller, allowed: readonly Role[]): void {
  if (!caller.roles.some((role) => allowed.includes(role))) {
    throw new ForbiddenError(`This needs one of the roles ${allowed.join(", ")}.`);
  }
}
