/** Admin use cases of the org directory. */

import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import { assertRole, type Caller, type OrgUnit, type Person } from "./directory.ts";
import type { Directory } from "./ports.ts";
import type { OrgUnitInput, PersonInput } from "./schemas.ts";

export class DirectoryService {
  readonly #directory: Directory;

  constructor(directory: Directory) {
    this.#directory = directory;
  }

  async putPerson(caller: Caller, personId: PersonId, input: PersonInput): Promise<Person> {
    assertRole(caller, ["admin"]);
    const tree = await this.#directory.orgTree();
    if (!tree.get(input.orgUnitId as OrgUnitId)) {
      throw new DomainError("unprocessable", "org-unit-unknown", `The org unit "${input.orgUnitId}" does not exist.`, {
        orgUnitId: input.orgUnitId,
      });
    }
    if (input.managerId !== undefined && !(await this.#directory.person(input.managerId as PersonId))) {
      throw new DomainError("unprocessable", "manager-unknown", `The manager "${input.managerId}" is not in the directory.`, {
        managerId: input.managerId,
      });
    }
    const person = { personId, ...input } as unknown as Person;
    await this.#directory.putPerson(person);
    return person;
  }

  async person(caller: Caller, personId: PersonId): Promise<Person> {
    assertRole(caller, ["admin", "hr"]);
    const person = await this.#directory.person(personId);
    if (!person) throw new NotFoundError("person", personId);
    return person;
  }

  async putOrgUnit(caller: Caller, orgUnitId: OrgUnitId, input: OrgUnitInput): Promise<OrgUnit> {
    assertRole(caller, ["admin"]);
    const unit = { orgUnitId, ...input } as OrgUnit;
    (await this.#directory.orgTree()).validate(unit);
    if (input.leadId !== undefined && !(await this.#directory.person(input.leadId as PersonId))) {
      throw new DomainError("unprocessable", "lead-unknown", `The lead "${input.leadId}" is not in the directory.`, {
        leadId: input.leadId,
      });
    }
    await this.#directory.putOrgUnit(unit);
    return unit;
  }

  /** Everyone in a unit and below: for hr, admin, and the leads of the unit or of a unit above it. */
  async peopleBelow(caller: Caller, orgUnitId: OrgUnitId): Promise<Person[]> {
    const tree = await this.#directory.orgTree();
    if (!tree.get(orgUnitId)) throw new NotFoundError("org-unit", orgUnitId);
    const privileged = caller.roles.includes("admin") || caller.roles.includes("hr");
    if (!privileged && !(caller.roles.includes("manager") && tree.leads(caller.personId, orgUnitId))) {
      throw new DomainError("forbidden", "forbidden", `You may list the people of the units you lead; you do not lead ${orgUnitId}.`);
    }
    const people = await Promise.all(tree.subtree(orgUnitId).map((unit) => this.#directory.peopleIn(unit)));
    return people.flat().sort((a, b) => a.personId.localeCompare(b.personId));
  }

  async orgUnits(): Promise<OrgUnit[]> {
    return (await this.#directory.orgTree()).units();
  }
}
