/** Answers of the directory (the admin function): org units, people, provisioning clients, DingTalk's callback. */
import { identityProviders } from "../../../domain/directory/index.ts";
import { roles, tiers } from "../../../domain/kernel/model.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { Count, Day, Instant } from "../answers.ts";

export const OrgUnit = z
  .strictObject({
    orgUnitId: z.string(),
    name: z.string(),
    kind: z.enum(["group", "subsidiary", "department", "team"]),
    parentId: z.optional(z.string()),
    leadId: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: "OrgUnit" });
export type OrgUnit = z.infer<typeof OrgUnit>;

export const Person = z
  .strictObject({
    personId: z.string(),
    name: z.string(),
    tier: z.enum(tiers),
    tierSince: Day,
    orgUnitId: z.string(),
    managerId: z.optional(z.string()),
    externalId: z.optional(z.string()),
    identities: z.optional(z.partialRecord(z.enum(identityProviders), z.string())),
    roles: z.optional(z.array(z.enum(roles))),
    /** When the person left: their wallet is frozen, their history kept. */
    leftAt: z.optional(Instant),
    version: z.optional(Count),
    updatedAt: z.optional(Instant),
  })
  .register(z.globalRegistry, { id: "Person" });

export const OrgUnits = z.strictObject({ orgUnits: z.array(OrgUnit) });
export const People = z.strictObject({ people: z.array(Person) });

/** A provisioning client's new bearer credential: the token is shown this once. */
export const ProvisionerCredential = z.strictObject({ clientId: z.string(), credentialId: z.string(), token: z.string() });

/** DingTalk's encrypted "success", signed as DingTalk's callback protocol asks. */
export const DingTalkCallbackAnswer = z.strictObject({
  msg_signature: z.string(),
  timeStamp: z.string(),
  nonce: z.string(),
  encrypt: z.string(),
});
