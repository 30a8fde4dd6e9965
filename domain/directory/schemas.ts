/** What admins send to shape the directory: people and org units. */
import * as z from "zod";
import { roles } from "../kernel/model.ts";
import { Id, IsoDate, TierSchema } from "../kernel/schemas.ts";
import { identityProviders, orgUnitKinds } from "./directory.ts";

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

export const OrgUnitInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(orgUnitKinds),
    parentId: Id.optional(),
    leadId: Id.optional(),
  })
  .meta({ id: "OrgUnitInput" });
export type OrgUnitInput = z.infer<typeof OrgUnitInput>;
