/**
 * Lambda: Laurel's token service. Signs people in from inside DingTalk (POST /auth/dingtalk) and
 * publishes its keys and discovery document, which the API's JWT authorizer reads. Stages whose
 * people sign in with Cognito or their own OIDC issuer deploy it without an issuer: it then
 * answers that DingTalk sign-in is not offered.
 */
import { DomainError } from "../../domain/kernel/errors.ts";
import { SignInService, tokenLifetimeSeconds } from "../../domain/sign-in/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoSpentCodes } from "../dynamo/stores/spent-codes.ts";
import { tokenAudience } from "../http/auth.ts";
import { httpHandler } from "../http/http.ts";
import { secretJson, tokenIssuer } from "../sign-in/config.ts";
import { type DingTalkApp, DingTalkClient } from "../sign-in/dingtalk.ts";
import { jwks, type KeyRing, signer } from "../sign-in/token-keys.ts";

const adapters = createAdapters("sign-in");
const issuer = tokenIssuer();
const keyRing = () => secretJson<KeyRing>("TOKEN_SIGNING_KEYS");
const dingtalk = new DingTalkClient(process.env.DINGTALK_API_BASE ?? "https://oapi.dingtalk.com", async () => {
  const app = await secretJson<DingTalkApp>("DINGTALK_APP");
  if (!app?.appKey || !app.appSecret) throw new Error("The DingTalk app's AppKey and AppSecret are not set (docs/DEPLOY.md)");
  return app;
});
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
      "This deployment signs people in with its identity provider, not with DingTalk.",
    );
  }
  return issuer;
}

export const handler = httpHandler(
  "sign-in",
  {
    signInDingTalk: async ({ body }) => {
      offered();
      const { token, personId } = await signIn.withCode("dingtalk", dingtalk, body.code);
      return { body: { accessToken: token, tokenType: "Bearer", expiresIn: tokenLifetimeSeconds, personId } };
    },
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
