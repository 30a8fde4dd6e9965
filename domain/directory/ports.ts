/** What the directory needs from storage (functions/dynamo/directory-store.ts). */
import type { AuditRecord } from "../kernel/audit.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { IdentityProvider, OrgTree, OrgUnit, Person } from "./directory.ts";
import type { Provisioner } from "./provisioners.ts";

export interface Directory {
  orgTree(): Promise<OrgTree>;
  person(personId: PersonId): Promise<Person | undefined>;
  /** The person holding this user id at the provider, if anyone does. */
  personByIdentity(provider: IdentityProvider, subject: string): Promise<Person | undefined>;
  /**
   * Writes the person if they are still at `expectedVersion` (0: new), else a ContentionError;
   * refuses (identity-taken) a provider's id another person holds. Returns them as stored. Each
   * change is written with its audit record, in one transaction.
   */
  putPerson(person: Person, expectedVersion: number, audit: AuditRecord): Promise<Person>;
  /** Writes the unit; the next request of every instance reads the tree with it. */
  putOrgUnit(unit: OrgUnit, audit: AuditRecord): Promise<void>;
  removeOrgUnit(orgUnitId: OrgUnitId, audit: AuditRecord): Promise<void>;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  allPeople(): AsyncIterable<Person>;
}

/** Provisioning clients' credentials (functions/dynamo/stores/provisioner-store.ts). */
export interface ProvisionerStore {
  provisioner(clientId: string): Promise<Provisioner | undefined>;
  /** Writes it if it is still at the version before (0: new), else a ContentionError. */
  putProvisioner(provisioner: Provisioner): Promise<void>;
}
