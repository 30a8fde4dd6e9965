/** Answers of the directory (the admin function): org units, people, provisioning clients, DingTalk's callback. */
import * as z from "zod";
import { identityProviders } from "../../../domain/directory/index.ts";
import { roles, tiers } from "../../../domain/kernel/model.ts";
import { Count, Day, Instant } from "../answers.ts";

export const OrgUnit = z
  .strictObject({
    orgUnitId: z.string(),
    name: z.string(),
    kind: z.enum(["group", "subsidiary", "department", "team"]),
    parentId: z.string().optional(),
    leadId: z.string().optional(),
  })
  .meta({ id: "OrgUnit" });
export type OrgUnit = z.infer<typeof OrgUnit>;

export const Person = z
  .strictObject({
    personId: z.string(),
    name: z.string(),
    tier: z.enum(tiers),
    tierSince: Day,
    orgUnitId: z.string(),
    managerId: z.string().optional(),
    externalId: z.string().optional(),
    identities: z.partialRecord(z.enum(identityProviders), z.string()).optional(),
    roles: z.array(z.enum(roles)).optional(),
    /** When the person left: their wallet is frozen, their history kept. */
    leftAt: Instant.optional(),
    version: Count.optional(),
    updatedAt: Instant.optional(),
  })
  .meta({ id: "Person" });

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
