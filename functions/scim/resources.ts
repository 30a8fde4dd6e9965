/**
 * SCIM 2.0 resources (RFC 7643) as Laurel's directory holds them. A User is a person: `id` and
 * `userName` are the person id, `externalId` the HR system's 工号, `active` false for a leaver;
 * the enterprise extension's `department` is the person's org unit id and `manager.value` their
 * manager's person id; Laurel's extension carries the tier and the day it began. A Group is an org
 * unit; Laurel's group extension carries its kind, parent and lead. Group `members` are read
 * only: a person moves by their department, one unit at a time.
 */
import { type OrgUnit, type OrgUnitInput, orgUnitKinds, type Person, type PersonInput } from "../../domain/directory/index.ts";
import { Id, IsoDate, TierSchema } from "../../domain/kernel/schemas.ts";
import * as z from "../../domain/kernel/zod/index.ts";

export const schemaIds = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  laurelUser: "urn:laurel:params:scim:schemas:extension:laurel:2.0:User",
  laurelGroup: "urn:laurel:params:scim:schemas:extension:laurel:2.0:Group",
  list: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  patch: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
} as const;

export const scimBase = "/scim/v2";
export const etagOf = (version: number | undefined) => `W/"${version ?? 0}"`;

export function userResource(person: Person) {
  return {
    schemas: [schemaIds.user, schemaIds.enterprise, schemaIds.laurelUser],
    id: person.personId,
    ...(person.externalId ? { externalId: person.externalId } : {}),
    userName: person.personId,
    displayName: person.name,
    name: { formatted: person.name },
    active: person.leftAt === undefined,
    [schemaIds.enterprise]: {
      department: person.orgUnitId,
      ...(person.managerId ? { manager: { value: person.managerId, $ref: `${scimBase}/Users/${person.managerId}` } } : {}),
    },
    [schemaIds.laurelUser]: { tier: person.tier, tierSince: person.tierSince, ...(person.leftAt ? { leftAt: person.leftAt } : {}) },
    meta: {
      resourceType: "User",
      ...(person.updatedAt ? { lastModified: person.updatedAt } : {}),
      version: etagOf(person.version),
      location: `${scimBase}/Users/${person.personId}`,
    },
  };
}
export type UserResource = ReturnType<typeof userResource>;

export function groupResource(unit: OrgUnit, members: readonly Person[]) {
  return {
    schemas: [schemaIds.group, schemaIds.laurelGroup],
    id: unit.orgUnitId,
    displayName: unit.name,
    members: members.map((p) => ({ value: p.personId, display: p.name, $ref: `${scimBase}/Users/${p.personId}`, type: "User" })),
    [schemaIds.laurelGroup]: {
      kind: unit.kind,
      ...(unit.parentId ? { parent: { value: unit.parentId } } : {}),
      ...(unit.leadId ? { lead: { value: unit.leadId } } : {}),
    },
    meta: { resourceType: "Group", location: `${scimBase}/Groups/${unit.orgUnitId}` },
  };
}

const reference = z.looseObject({ value: Id });

/** What a client sends for a User (POST, PUT, or the result of a PATCH); unknown attributes are ignored, as SCIM clients send many. */
export const UserRequest = z.catchall(
  z.object({
    userName: Id,
    externalId: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
    displayName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    name: z.optional(
      z.catchall(z.object({ formatted: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))) }), z.unknown()),
    ),
    active: z.optional(z.boolean()),
    [schemaIds.enterprise]: z.looseObject({ department: Id, manager: z.optional(reference) }),
    [schemaIds.laurelUser]: z.looseObject({ tier: TierSchema, tierSince: IsoDate }),
  }),
  z.unknown(),
);

export function personInputOf(user: z.infer<typeof UserRequest>, identities: Person["identities"]): PersonInput | string {
  const name = user.displayName ?? user.name?.formatted;
  if (!name) return "displayName (or name.formatted) is required.";
  const enterprise = user[schemaIds.enterprise];
  const laurel = user[schemaIds.laurelUser];
  return {
    name,
    tier: laurel.tier,
    tierSince: laurel.tierSince,
    orgUnitId: enterprise.department,
    ...(enterprise.manager ? { managerId: enterprise.manager.value } : {}),
    ...(user.externalId ? { externalId: user.externalId } : {}),
    ...(identities ? { identities } : {}),
  };
}

export const GroupRequest = z.catchall(
  z.object({
    displayName: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    [schemaIds.laurelGroup]: z.looseObject({ kind: z.enum(orgUnitKinds), parent: z.optional(reference), lead: z.optional(reference) }),
  }),
  z.unknown(),
);

export function orgUnitInputOf(group: z.infer<typeof GroupRequest>): OrgUnitInput {
  const laurel = group[schemaIds.laurelGroup];
  return {
    name: group.displayName,
    kind: laurel.kind,
    ...(laurel.parent ? { parentId: laurel.parent.value } : {}),
    ...(laurel.lead ? { leadId: laurel.lead.value } : {}),
  };
}
