/** Routes of the sign-in area: Laurel's token service, for stages whose people sign in with DingTalk or WeCom. */
import * as z from "../../../domain/kernel/zod/index.ts";
import { OpenIdConfiguration, SignInAnswer } from "../answers/sign-in.ts";
import { JwkSet } from "../answers.ts";
import { defineRoute } from "../route.ts";

export const DingTalkSignIn = z
  .strictObject({
    /** The 免登 auth code from the page's dd.getAuthCode (DingTalk JSAPI): good for 5 minutes, once. */
    code: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
  })
  .register(z.globalRegistry, { id: "DingTalkSignIn" });

export const WeComSignIn = z
  .strictObject({
    /** The code WeCom's web authorisation (网页授权, snsapi_base) adds to the page's address: good for 5 minutes, once. */
    code: z.string().check(z.trim(), z.minLength(1), z.maxLength(512)),
  })
  .register(z.globalRegistry, { id: "WeComSignIn" });

export const signInRoutes = {
  signInDingTalk: defineRoute({
    method: "POST",
    path: "/auth/dingtalk",
    area: "sign-in",
    auth: "public",
    problems: ["code-refused", "code-reused", "person-departed", "person-not-registered"],
    summary:
      "Sign in from inside DingTalk: the page's 免登 auth code is exchanged with DingTalk for the user id, the directory names the person, and the answer is a Laurel token (ES256, 15 minutes) with the person's directory roles. Unknown or departed people, and forged, expired or reused codes, are refused with a sentence in Chinese and English; every attempt is in the audit trail.",
    body: DingTalkSignIn,
    audit: "service",
    success: { status: 200, description: "The token, its type and lifetime, and who it names.", schema: SignInAnswer },
  }),
  signInWeCom: defineRoute({
    method: "POST",
    path: "/auth/wecom",
    area: "sign-in",
    auth: "public",
    problems: ["code-refused", "person-departed", "person-not-registered"],
    summary:
      "Sign in from inside WeCom: the code WeCom's web authorisation gave the page is exchanged with WeCom for the member's user id, the directory names the person, and the answer is a Laurel token as for DingTalk. Someone outside the company, unknown or departed people, and forged, expired or reused codes are refused with a sentence in Chinese and English; every attempt is in the audit trail.",
    body: WeComSignIn,
    audit: "service",
    success: { status: 200, description: "The token, its type and lifetime, and who it names.", schema: SignInAnswer },
  }),
  jwks: defineRoute({
    method: "GET",
    // Named by the discovery document; /.well-known/jwks.json is the badge issuer's (Open Badges' practice).
    path: "/auth/jwks.json",
    area: "sign-in",
    auth: "public",
    summary: "The token service's public keys (JWKS): every key whose tokens may still be valid, newest first.",
    success: { status: 200, description: "A JSON Web Key Set.", schema: JwkSet },
  }),
  openIdConfiguration: defineRoute({
    method: "GET",
    path: "/.well-known/openid-configuration",
    area: "sign-in",
    auth: "public",
    summary:
      "The token service's OpenID Connect discovery document: its issuer and where its keys are (what the API's JWT authorizer reads).",
    success: { status: 200, description: "The discovery document.", schema: OpenIdConfiguration },
  }),
} as const;
