/**
 * Use cases of the org directory: admins (and provisioning clients: SCIM, the DingTalk sync)
 * create, transfer, deactivate and reactivate people and shape the org tree. Every change is
 * one audit record saying what changed, whoever made it.
 */

import { isDeepStrictEqual } from "node:util";
import type { AuditRecord } from "../kernel/audit.ts";
import { assertUnchanged } from "../kernel/definitions.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import { retryOnContention } from "../kernel/retry.ts";
import { assertRole, type Caller, isActive, type OrgUnit, type Person } from "./directory.ts";
import type { Directory, ProvisionerStore } from "./ports.ts";
import { rotateCredential } from "./provisioners.ts";
import type { OrgUnitInput, PersonInput } from "./schemas.ts";

/** Who changes the directory: an admin, or a provisioning client (authenticated by its own credential). */
export type Editor = Caller | { provisioner: string };

export interface DirectoryDeps {
  directory: Directory;
  provisioners: ProvisionerStore;
  audit: { append(record: AuditRecord): Promise<void> };
  clock: Clock;
  newId: () => string;
}

/** A write that expects the person (or unit) to be at this version: SCIM's If-Match. */
export interface Precondition {
  ifMatch?: number;
}

export class DirectoryService {
  readonly #deps: DirectoryDeps;

  constructor(deps: DirectoryDeps) {
    this.#deps = deps;
  }

  /**
   * Creates or replaces a person; a new org unit or manager is a transfer, effective for the next
   * request. `active` (SCIM's) deactivates or reactivates in the same write; left out, it stays.
   */
  putPerson(editor: Editor, personId: PersonId, input: PersonInput, options: Precondition & { active?: boolean } = {}): Promise<Person> {
    return this.#changePerson(editor, personId, options, async (before) => {
      await this.#checkPlacement(input);
      const leftAt =
        options.active === undefined
          ? before?.leftAt
          : options.active
            ? undefined
            : (before?.leftAt ?? this.#deps.clock.now().toISOString());
      const person = { personId, ...input, ...(leftAt ? { leftAt } : {}) } as unknown as Person;
      return { person, action: actionOf(before, person), details: transferDetails(before, person) };
    });
  }

  /** A new credential for a provisioning client (shown once); the previous one stays valid until the next rotation. */
  async issueCredential(caller: Caller, clientId: string): Promise<{ clientId: string; credentialId: string; token: string }> {
    let credentialId = "";
    const token = await this.#recorded(caller, "provisioner.unchanged", [clientId], () =>
      retryOnContention(async () => {
        credentialId = this.#deps.newId();
        const before = await this.#deps.provisioners.provisioner(clientId);
        const at = this.#deps.clock.now().toISOString();
        const issued = rotateCredential(clientId, before, { actor: caller.personId, at, credentialId });
        await this.#deps.provisioners.putProvisioner(issued.provisioner);
        const valid = issued.provisioner.credentials.map((c) => c.credentialId);
        await this.#deps.audit.append({
          auditId: this.#deps.newId(),
          at,
          actor: caller.personId,
          action: "provisioner.credential-issued",
          targets: [clientId],
          details: { credentialId, valid },
          outcome: "ok",
        });
        return { value: issued.token, written: true };
      }),
    );
    return { clientId, credentialId, token };
  }

  /** The person left: their wallet is frozen, their balances and history kept. Deactivating a leaver again changes nothing. */
  deactivate(editor: Editor, personId: PersonId, precondition: Precondition = {}): Promise<Person> {
    return this.#changePerson(editor, personId, precondition, async (before) => {
      if (!before) throw new NotFoundError("person", personId);
      if (!isActive(before)) return undefined;
      return { person: { ...before, leftAt: this.#deps.clock.now().toISOString() }, action: "person.deactivated", details: {} };
    });
  }

  /** The person is back (a rehire, or a deactivation by mistake): the wallet thaws. */
  reactivate(editor: Editor, personId: PersonId, precondition: Precondition = {}): Promise<Person> {
    return this.#changePerson(editor, personId, precondition, async (before) => {
      if (!before) throw new NotFoundError("person", personId);
      if (isActive(before)) return undefined;
      const { leftAt, ...person } = before;
      return { person, action: "person.reactivated", details: { leftAt } };
    });
  }

  async person(caller: Caller, personId: PersonId): Promise<Person> {
    assertRole(caller, ["admin", "hr"]);
    const person = await this.#deps.directory.person(personId);
    if (!person) throw new NotFoundError("person", personId);
    return person;
  }

  async putOrgUnit(editor: Editor, orgUnitId: OrgUnitId, input: OrgUnitInput): Promise<OrgUnit> {
    return this.#recorded(editor, "org-unit.unchanged", [orgUnitId], async (audit) => {
      const unit = { orgUnitId, ...input } as OrgUnit;
      const tree = await this.#deps.directory.orgTree();
      tree.validate(unit);
      if (input.leadId !== undefined && !(await this.#deps.directory.person(input.leadId as PersonId))) {
        throw new DomainError("unprocessable", "lead-unknown", `The lead "${input.leadId}" is not in the directory.`, {
          leadId: input.leadId,
        });
      }
      const before = tree.get(orgUnitId);
      if (before && isDeepStrictEqual(before, unit)) return { value: unit, written: false };
      const details = {
        parentId: [before?.parentId ?? null, unit.parentId ?? null],
        leadId: [before?.leadId ?? null, unit.leadId ?? null],
      };
      await this.#deps.directory.putOrgUnit(unit, audit("org-unit.put", details));
      return { value: unit, written: true };
    });
  }

  /** Removes an empty unit: one with units or people below it would leave them orphaned. */
  async removeOrgUnit(editor: Editor, orgUnitId: OrgUnitId): Promise<void> {
    await this.#recorded(editor, "org-unit.unchanged", [orgUnitId], async (audit) => {
      const tree = await this.#deps.directory.orgTree();
      if (!tree.get(orgUnitId)) throw new NotFoundError("org-unit", orgUnitId);
      const children = tree.units().filter((unit) => unit.parentId === orgUnitId);
      const people = await this.#deps.directory.peopleIn(orgUnitId);
      if (children.length || people.length) {
        throw new DomainError(
          "conflict",
          "org-unit-not-empty",
          `${orgUnitId} still has ${children.length} units and ${people.length} people (leavers included); move them first.`,
          { units: children.map((u) => u.orgUnitId), people: people.length },
        );
      }
      await this.#deps.directory.removeOrgUnit(orgUnitId, audit("org-unit.removed", {}));
      return { value: undefined, written: true };
    });
  }

  /** Everyone in a unit and below, leavers included: for hr, admin, and the leads of the unit or of a unit above it (who see no leavers). */
  async peopleBelow(caller: Caller, orgUnitId: OrgUnitId): Promise<Person[]> {
    const tree = await this.#deps.directory.orgTree();
    if (!tree.get(orgUnitId)) throw new NotFoundError("org-unit", orgUnitId);
    const privileged = caller.roles.includes("admin") || caller.roles.includes("hr");
    if (!privileged && !(caller.roles.includes("manager") && tree.leads(caller.personId, orgUnitId))) {
      throw new DomainError("forbidden", "forbidden", `You may list the people of the units you lead; you do not lead ${orgUnitId}.`);
    }
    const people = (await Promise.all(tree.subtree(orgUnitId).map((unit) => this.#deps.directory.peopleIn(unit)))).flat();
    return people.filter((p) => privileged || isActive(p)).sort((a, b) => a.personId.localeCompare(b.personId));
  }

  async orgUnits(): Promise<OrgUnit[]> {
    return (await this.#deps.directory.orgTree()).units();
  }

  async #checkPlacement(input: PersonInput): Promise<void> {
    const tree = await this.#deps.directory.orgTree();
    if (!tree.get(input.orgUnitId as OrgUnitId)) {
      throw new DomainError("unprocessable", "org-unit-unknown", `The org unit "${input.orgUnitId}" does not exist.`, {
        orgUnitId: input.orgUnitId,
      });
    }
    if (input.managerId !== undefined && !(await this.#deps.directory.person(input.managerId as PersonId))) {
      throw new DomainError("unprocessable", "manager-unknown", `The manager "${input.managerId}" is not in the directory.`, {
        managerId: input.managerId,
      });
    }
  }

  /**
   * Reads the person, decides, writes at the version read (a concurrent change makes it decide
   * again), the audit record in the same transaction: a change is never without its record.
   */
  #changePerson(
    editor: Editor,
    personId: PersonId,
    precondition: Precondition,
    decide: (before: Person | undefined) => Promise<{ person: Person; action: string; details: Record<string, unknown> } | undefined>,
  ): Promise<Person> {
    return this.#recorded(editor, "person.unchanged", [personId], (audit) =>
      retryOnContention(async () => {
        const before = await this.#deps.directory.person(personId);
        const version = before?.version ?? 0;
        assertUnchanged(personId, version, precondition.ifMatch);
        const change = await decide(before);
        const { version: _v, updatedAt: _u, ...person } = change?.person ?? ({} as Person);
        // The same request again (a client's retry) changes nothing and writes nothing.
        if (!change || (before && isDeepStrictEqual(withoutVersion(before), person))) return { value: before as Person, written: false };
        const stored = await this.#deps.directory.putPerson(
          person,
          version,
          audit(change.action, { ...change.details, version: version + 1 }),
        );
        return { value: stored, written: true };
      }),
    );
  }

  /**
   * Runs a change, which writes the record `audit` builds in its own transaction (written), or
   * not (nothing changed); a refusal is recorded on its own, with its code.
   */
  async #recorded<T>(
    editor: Editor,
    unchanged: string,
    targets: string[],
    run: (audit: (action: string, details: Record<string, unknown>) => AuditRecord) => Promise<{ value: T; written: boolean }>,
  ): Promise<T> {
    const actor = ("provisioner" in editor ? `provisioner:${editor.provisioner}` : editor.personId) as PersonId;
    const audit = (action: string, details: Record<string, unknown>, outcome = "ok"): AuditRecord => ({
      auditId: this.#deps.newId(),
      at: this.#deps.clock.now().toISOString(),
      actor,
      action,
      targets,
      details,
      outcome,
    });
    try {
      if (!("provisioner" in editor)) assertRole(editor, ["admin"]);
      const { value, written } = await run(audit);
      if (!written) await this.#deps.audit.append(audit(unchanged, {}));
      return value;
    } catch (error) {
      if (error instanceof DomainError) await this.#deps.audit.append(audit(unchanged.replace(/\.unchanged$/, ".refused"), {}, error.code));
      throw error;
    }
  }
}

function actionOf(before: Person | undefined, after: Person): string {
  if (!before) return "person.created";
  if (isActive(before) !== isActive(after)) return isActive(after) ? "person.reactivated" : "person.deactivated";
  return before.orgUnitId !== after.orgUnitId || before.managerId !== after.managerId ? "person.transferred" : "person.updated";
}

function transferDetails(before: Person | undefined, after: Person): Record<string, unknown> {
  if (!before) return { orgUnitId: after.orgUnitId };
  return {
    ...(before.orgUnitId !== after.orgUnitId ? { orgUnitId: [before.orgUnitId, after.orgUnitId] } : {}),
    ...(before.managerId !== after.managerId ? { managerId: [before.managerId ?? null, after.managerId ?? null] } : {}),
    ...(before.tier !== after.tier ? { tier: [before.tier, after.tier] } : {}),
  };
}

const withoutVersion = ({ version: _v, updatedAt: _u, ...person }: Person) => person;
