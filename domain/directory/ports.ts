/** What the directory needs from storage (functions/dynamo/directory-store.ts). */
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { OrgTree, OrgUnit, Person } from "./directory.ts";

export interface Directory {
  orgTree(): Promise<OrgTree>;
  person(personId: PersonId): Promise<Person | undefined>;
  /** Writes the person if they are still at `expectedVersion` (0: new), else a ContentionError; returns them as stored. */
  putPerson(person: Person, expectedVersion: number): Promise<Person>;
  /** Writes the unit; the next request of every instance reads the tree with it. */
  putOrgUnit(unit: OrgUnit): Promise<void>;
  removeOrgUnit(orgUnitId: OrgUnitId): Promise<void>;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  allPeople(): AsyncIterable<Person>;
}
