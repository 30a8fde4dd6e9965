/** What the directory needs from storage (functions/dynamo/directory-store.ts). */
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { IdentityProvider, OrgTree, OrgUnit, Person } from "./directory.ts";

export interface Directory {
  orgTree(): Promise<OrgTree>;
  person(personId: PersonId): Promise<Person | undefined>;
  /** The person holding this user id at the provider, if anyone does. */
  personByIdentity(provider: IdentityProvider, subject: string): Promise<Person | undefined>;
  /** Writes the person; refuses (identity-taken) a provider's id another person holds. */
  putPerson(person: Person): Promise<void>;
  putOrgUnit(unit: OrgUnit): Promise<void>;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  allPeople(): AsyncIterable<Person>;
}
