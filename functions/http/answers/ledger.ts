/** Answers of the ledger function's badge credentials and of the issuer's public profile. */
import { roles } from "../../../domain/kernel/model.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { Instant } from "../answers.ts";

/** Who a token signs in, for a page whose issuer's tokens name their own subjects (GET /me). */
export const SignedInPerson = z
  .strictObject({
    personId: Id,
    /** The roles the API grants this token: from the token's claim or from the directory, as the stage says. */
    roles: z.array(z.enum(roles)),
    /** From the directory, where the person is in it. */
    name: z.optional(z.string()),
    orgUnitId: z.optional(Id),
  })
  .register(z.globalRegistry, { id: "SignedInPerson" });

/** An Open Badges 3.0 achievement credential (JSON-LD); its inner shape is the standard's. */
export const BadgeCredential = z
  .looseObject({
    "@context": z.array(z.string()),
    id: z.string(),
    type: z.array(z.string()),
    issuer: z.looseObject({ id: z.string() }),
    validFrom: Instant,
    credentialSubject: z.looseObject({ achievement: z.looseObject({ id: z.string() }) }),
    credentialStatus: z.looseObject({
      type: z.literal("BitstringStatusListEntry"),
      statusPurpose: z.literal("revocation"),
      statusListIndex: z.string(),
      statusListCredential: z.string(),
    }),
  })
  .register(z.globalRegistry, { id: "BadgeCredential" });
/** The credential as JSON-LD, the same signed as VC-JWT, and when its level was revoked. */
const SignedCredential = z.strictObject({ credential: BadgeCredential, jwt: z.string(), revokedAt: z.optional(Instant) });
export type Credential = z.infer<typeof SignedCredential>;
export const BadgeCredentials = z.strictObject({ credentials: z.array(SignedCredential) });

/** The Open Badges 3.0 profile of the issuer (JSON-LD). */
export const IssuerProfile = z.strictObject({
  "@context": z.array(z.string()),
  id: z.string(),
  type: z.array(z.string()),
  name: z.string(),
  url: z.string(),
});
/** A Bitstring Status List credential is answered signed, as VC-JWT. */
export const vcJwt = { "application/vc+jwt": { schema: { type: "string", contentMediaType: "application/vc+jwt" } } };
