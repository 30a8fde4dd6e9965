/** What admins send to shape the directory: people and org units. */
import * as z from "zod";
import { ValidationError } from "../kernel/errors.ts";
import { roles } from "../kernel/model.ts";
import { Id, IsoDate, TierSchema } from "../kernel/schemas.ts";
import { identityProviders, orgUnitKinds, type Person } from "./directory.ts";

const ProviderUserId = z.string().trim().min(1).max(128);

export const PersonInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    tier: TierSchema,
    tierSince: IsoDate,
    orgUnitId: Id,
    managerId: Id.optional(),
    /** The person's id in the HR system (工号): imported history may name people by it. */
    externalId: z.string().trim().min(1).max(64).optional(),
    /** The person's user id at DingTalk, WeCom or the OIDC issuer: how they sign in and are notified there. */
    identities: z.partialRecord(z.enum(identityProviders), ProviderUserId).optional(),
    /** Roles for issuers whose tokens carry none (DingTalk sign-in); ignored where tokens carry roles (Cognito groups). */
    roles: z.array(z.enum(roles)).max(roles.length).optional(),
  })
  .meta({ id: "PersonInput" });
export type PersonInput = z.infer<typeof PersonInput>;

/**
 * What `PUT /admin/people/{id}` takes: a person as `GET` answers it, so that reading, editing and
 * writing back works. What the directory keeps is read-only: `updatedAt` and `leftAt` are ignored
 * (leaving has its own routes), `personId` must be the path's, and `version`, like If-Match, must
 * be the one stored (a lost update is refused).
 */
export const PersonReplacement = PersonInput.extend({
  personId: Id.optional(),
  version: z.number().int().min(0).optional(),
  updatedAt: z.string().max(40).optional(),
  leftAt: z.string().max(40).optional(),
}).meta({ id: "PersonReplacement" });

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
    name: z.string().trim().min(1).max(100),
    kind: z.enum(orgUnitKinds),
    parentId: Id.optional(),
    leadId: Id.optional(),
  })
  .meta({ id: "OrgUnitInput" });
export type OrgUnitInput = z.infer<typeof OrgUnitInput>;
