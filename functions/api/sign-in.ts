/**
 * Lambda: Laurel's token service. Signs people in from inside DingTalk (POST /auth/dingtalk) or
 * WeCom (POST /auth/wecom) and
 * publishes its keys and discovery document, which the API's JWT authorizer reads. Stages whose
 * people sign in with Cognito or their own OIDC issuer deploy it without an issuer: it then
 * answers that DingTalk sign-in is not offered.
 */

import type { IdentityProvider } from "../../domain/directory/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import { type CodeExchange, SignInService, tokenLifetimeSeconds } from "../../domain/sign-in/index.ts";
import { DingTalkApi } from "../dingtalk/openapi-client.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoSpentCodes } from "../dynamo/stores/spent-codes.ts";
import { signInRoutes } from "../http/areas/sign-in.routes.ts";
import { tokenAudience } from "../http/auth.ts";
import { httpHandler } from "../http/http.ts";
import { jsonSecret } from "../secrets/cached-secret.ts";
import { tokenIssuer } from "../sign-in/config.ts";
import { jwks, type KeyRing, signer } from "../sign-in/token-keys.ts";
import { WeComApi } from "../wecom/openapi-client.ts";

const adapters = createAdapters("sign-in");
const issuer = tokenIssuer();
const signingKeys = jsonSecret<KeyRing>("TOKEN_SIGNING_KEYS_SECRET_ARN", "TOKEN_SIGNING_KEYS");
const keyRing = () => signingKeys.get();
const dingtalk = DingTalkApi.fromEnv(process.env, 3000);
const wecom = WeComApi.fromEnv();
const signIn = new SignInService({
  directory: adapters.directory,
  codes: new DynamoSpentCodes(adapters.db, adapters.tables.state),
  signer: signer(issuer ?? "", tokenAudience, keyRing),
  audit: adapters.audit,
  clock: adapters.clock,
});

function offered(): string {
  if (!issuer) {
    throw new DomainError(
      "not-found",
      "sign-in-not-offered",
      "This deployment signs people in with its identity provider, not with DingTalk or WeCom.",
    );
  }
  return issuer;
}

async function signedIn(provider: IdentityProvider, exchange: CodeExchange, code: string) {
  offered();
  const { token, personId } = await signIn.withCode(provider, exchange, code);
  return { body: { accessToken: token, tokenType: "Bearer", expiresIn: tokenLifetimeSeconds, personId } };
}

export const handler = httpHandler(
  "sign-in",
  signInRoutes,
  {
    signInDingTalk: ({ body }) => signedIn("dingtalk", dingtalk, body.code),
    signInWeCom: ({ body }) => signedIn("wecom", wecom, body.code),
    jwks: async () => {
      offered();
      return { body: jwks(await keyRing()) };
    },
    openIdConfiguration: async () => {
      const iss = offered();
      return {
        body: {
          issuer: iss,
          jwks_uri: `${iss}/auth/jwks.json`,
          response_types_supported: ["id_token"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["ES256"],
          claims_supported: ["sub", "iss", "aud", "exp", "iat", "roles", "amr"],
        },
      };
    },
  },
  adapters,
);
