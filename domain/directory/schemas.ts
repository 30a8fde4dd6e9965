/** What admins send to shape the directory: people and org units. */
import { ValidationError } from "../kernel/errors.ts";
import { roles } from "../kernel/model.ts";
import { Id, IsoDate, TierSchema } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import { identityProviders, orgUnitKinds, type Person } from "./directory.ts";

const ProviderUserId = z.string().check(z.trim(), z.minLength(1), z.maxLength(128));

export const PersonInput = z
  .strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    tier: TierSchema,
    tierSince: IsoDate,
    orgUnitId: Id,
    managerId: z.optional(Id),
    /** The person's id in the HR system (工号): imported history may name people by it. */
    externalId: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
    /** The person's user id at DingTalk, WeCom or the OIDC issuer: how they sign in and are notified there. */
    identities: z.optional(z.partialRecord(z.enum(identityProviders), ProviderUserId)),
    /** Roles for issuers whose tokens carry none (DingTalk sign-in); ignored where tokens carry roles (Cognito groups). */
    roles: z.optional(z.array(z.enum(roles)).check(z.maxLength(roles.length))),
  })
  .register(z.globalRegistry, { id: "PersonInput" });
export type PersonInput = z.infer<typeof PersonInput>;

/**
 * What `PUT /admin/people/{id}` takes: a person as `GET` answers it, so that reading, editing and
 * writing back works. What the directory keeps is read-only: `updatedAt` and `leftAt` are ignored
 * (leaving has its own routes), `personId` must be the path's, and `version`, like If-Match, must
 * be the one stored (a lost update is refused).
 */
export const PersonReplacement = z
  .extend(PersonInput, {
    personId: z.optional(Id),
    version: z.optional(z.number().check(z.int(), z.gte(0))),
    updatedAt: z.optional(z.string().check(z.maxLength(40))),
    leftAt: z.optional(z.string().check(z.maxLength(40))),
  })
  .register(z.globalRegistry, { id: "PersonReplacement" });

/** The input and the version to match of a replacement for `personId`. */
export function replacementOf(
  personId: string,
  { personId: named, version, updatedAt: _updatedAt, leftAt: _leftAt, ...input }: z.infer<typeof PersonReplacement>,
): { input: PersonInput; ifMatch: number | undefined } {
  if (named !== undefined && named !== personId) {
    throw new ValidationError(`personId is ${named}, but the address names ${personId}.`, [
      { path: "personId", message: `must be ${personId}, the person the address names` },
    ]);
  }
  return { input, ifMatch: version };
}

/** What an editor sets of a person: all of it but what the directory keeps (leaving, versions). */
export function inputOf({ personId: _id, leftAt: _left, version: _version, updatedAt: _updated, roles, ...input }: Person): PersonInput {
  return { ...input, ...(roles ? { roles: [...roles] } : {}) };
}

export const OrgUnitInput = z
  .strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    kind: z.enum(orgUnitKinds),
    parentId: z.optional(Id),
    leadId: z.optional(Id),
  })
  .register(z.globalRegistry, { id: "OrgUnitInput" });
export type OrgUnitInput = z.infer<typeof OrgUnitInput>;
