/** Answers of sign-in with Laurel's token service (the sign-in function). */
import * as z from "../../../domain/kernel/zod/index.ts";

export const SignInAnswer = z.strictObject({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().check(z.int(), z.positive()),
  personId: z.string(),
});
export const OpenIdConfiguration = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
});
