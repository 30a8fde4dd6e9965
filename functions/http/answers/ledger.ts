/** Answers of the ledger function's badge credentials and of the issuer's public profile. */
import * as z from "zod";
import { Instant } from "../answers.ts";

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
  .meta({ id: "BadgeCredential" });
/** The credential as JSON-LD, the same signed as VC-JWT, and when its level was revoked. */
const SignedCredential = z.strictObject({ credential: BadgeCredential, jwt: z.string(), revokedAt: Instant.optional() });
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
