/**
 * The issuer's public face for verifiable badges (area `ledger`, no token): who signs, with which
 * keys, and which credentials are revoked. Verifiers outside the company fetch these URLs, named
 * in every credential (docs/INTEGRATION.md).
 */
import * as z from "zod";
import { Id } from "../../../domain/kernel/schemas.ts";
import { IssuerProfile, JwkSet, vcJwt } from "../answers.ts";
import { defineRoute } from "../route.ts";

export const badgesRoutes = {
  badgeIssuer: defineRoute({
    method: "GET",
    path: "/badges/issuer",
    area: "ledger",
    auth: "public",
    summary: "The Open Badges 3.0 profile of the issuer that signs the company's badge credentials.",
    success: { status: 200, description: "The issuer's profile (JSON-LD).", schema: IssuerProfile },
  }),
  badgeIssuerKeys: defineRoute({
    method: "GET",
    path: "/.well-known/jwks.json",
    area: "ledger",
    auth: "public",
    summary: "The issuer's public keys (ES256), a JWK Set: the current key and those still trusted after a rotation.",
    success: { status: 200, description: "The JWK Set.", schema: JwkSet, mediaType: "application/jwk-set+json" },
  }),
  badgeStatusList: defineRoute({
    method: "GET",
    path: "/badges/status/{personId}",
    area: "ledger",
    auth: "public",
    summary: "A person's Bitstring Status List: bit n is set when their credential with statusListIndex n is revoked.",
    params: z.strictObject({ personId: Id }),
    success: { status: 200, description: "A BitstringStatusListCredential signed as VC-JWT.", alternatives: vcJwt },
  }),
} as const;
