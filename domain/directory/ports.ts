/** What the directory needs from storage (functions/dynamo/directory-store.ts). */
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { OrgTree, OrgUnit, Person } from "./directory.ts";

export interface Directory {
  orgTree(): Promise<OrgTree>;
  person(personId: PersonId): Promise<Person | undefined>;
  putPerson(person: Person): Promise<void>;
  putOrgUnit(unit: OrgUnit): Promise<void>;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  allPeople(): AsyncIterable<Person>;
}
