/**
 * The issuer a stage trusts, as the functions, the API's JWT authorizer and the page each need
 * it: Cognito's user pool, a company's own OpenID Connect issuer, or Laurel's token service at the
 * API's custom domain (docs/DEPLOY.md, "Identity").
 */
import { CfnParameter, type RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { tokenAudience } from "../functions/http/auth.ts";
import { dingtalkJsapiOrigin } from "../functions/sign-in/config.ts";
import { Identity } from "./constructs/identity.ts";
import type { StageConfig } from "./stage.ts";

export interface TrustedIssuer {
  issuer: string;
  audiences: string[];
  /** How the functions verify tokens and find the caller (functions/http/auth.ts). */
  environment: Record<string, string>;
  /** The page's sign-in settings (web/dist/config.json). */
  page: Record<string, string>;
  cognito?: Identity;
  tokenService?: TokenServiceSecrets;
}

export interface TokenServiceSecrets {
  /** The token service's ES256 signing keys (JWKs with kid, newest first): npm run token-keys. */
  signingKeys: Secret;
  /** The WeCom self-built app's corp id and secret, as {"corpId","corpSecret"}. */
  wecomApp: Secret;
}

/** AWS China: the ICP-licensed names the page and the API are served on, given at deploy time. */
export interface ChinaDomains {
  page: { domainName: string; iamCertificateId: string };
  api: { domainName: string; certificateArn: string };
}

export function chinaDomains(scope: Construct): ChinaDomains {
  const parameter = (id: string, description: string) => new CfnParameter(scope, id, { type: "String", description }).valueAsString;
  return {
    page: {
      domainName: parameter(
        "PageDomainName",
        "The page's ICP-licensed domain name (CNAME to the distribution), e.g. laurel.example.com.cn",
      ),
      iamCertificateId: parameter(
        "PageCertificateId",
        "The IAM server certificate id of the page's domain (CloudFront in China takes no ACM certificate)",
      ),
    },
    api: {
      domainName: parameter(
        "ApiDomainName",
        "The API's ICP-licensed domain name, e.g. api.laurel.example.com.cn; also the token service's issuer",
      ),
      certificateArn: parameter("ApiCertificateArn", "The ACM certificate of the API's domain, in the stack's region"),
    },
  };
}

/**
 * Where the page may connect and load scripts from: the API and the issuer's sign-in. Known from
 * the configuration alone, since the user pool needs the page's URL before it exists.
 */
export function pageOrigins(scope: Construct, config: StageConfig, apiDomainName: string | undefined) {
  const stack = Stack.of(scope);
  const api = apiDomainName ? `https://${apiDomainName}` : `https://*.execute-api.${stack.region}.${stack.urlSuffix}`;
  const identity = config.identity;
  if (identity.kind === "cognito") {
    return { connectTo: [api, "https://*.amazoncognito.com", `https://cognito-idp.${stack.region}.${stack.urlSuffix}`], scriptsFrom: [] };
  }
  if (identity.kind === "oidc") return { connectTo: [api, new URL(identity.issuer).origin], scriptsFrom: [] };
  return { connectTo: [api], scriptsFrom: [dingtalkJsapiOrigin] };
}

export function trustedIssuer(
  scope: Construct,
  config: StageConfig,
  options: { pageUrl: string; apiDomainName?: string; removalPolicy: RemovalPolicy; repoRoot: string; logRetention: RetentionDays },
): TrustedIssuer {
  const identity = config.identity;
  const stack = Stack.of(scope);
  if (identity.kind === "cognito") {
    const cognito = new Identity(scope, "Identity", {
      stage: config.stage,
      threatProtection: config.threatProtection,
      removalPolicy: options.removalPolicy,
      callbackUrls: [options.pageUrl],
      repoRoot: options.repoRoot,
      logRetention: options.logRetention,
      ...(identity.inviteFrom ? { inviteFrom: identity.inviteFrom } : {}),
    });
    const audience = cognito.client.userPoolClientId;
    return {
      issuer: cognito.issuer,
      audiences: [audience],
      // Cognito access tokens carry the username, which is the person id, and the groups as roles.
      environment: { JWT_ISSUER: cognito.issuer, JWT_AUDIENCE: audience, JWKS_URL: cognito.jwksUrl, PERSON_ID_CLAIM: "username" },
      page: {
        signIn: "cognito",
        region: stack.region,
        userPoolId: cognito.userPool.userPoolId,
        clientId: audience,
        authDomain: cognito.domain.baseUrl(),
      },
      cognito,
    };
  }
  if (identity.kind === "oidc") {
    const roles = "claim" in identity.roles ? { ROLES_CLAIM: identity.roles.claim } : { ROLES_FROM: "directory" };
    return {
      issuer: identity.issuer,
      audiences: [...identity.audiences],
      environment: { JWT_ISSUER: identity.issuer, JWT_AUDIENCE: identity.audiences.join(","), OIDC_DISCOVERY: "true", ...roles },
      page: { signIn: "oidc", issuer: identity.issuer, clientId: identity.audiences[0] ?? "" },
    };
  }
  if (!options.apiDomainName) throw new Error("Laurel's token service needs the API's custom domain (its issuer URL)");
  const issuer = `https://${options.apiDomainName}`;
  const tokenService = tokenServiceSecrets(scope, config, options.removalPolicy);
  return {
    issuer,
    audiences: [tokenAudience],
    environment: { JWT_ISSUER: issuer, JWT_AUDIENCE: tokenAudience, JWKS_URL: `${issuer}/auth/jwks.json`, ROLES_CLAIM: "roles" },
    page: {
      signIn: "dingtalk",
      dingtalkCorpId: new CfnParameter(scope, "DingTalkCorpId", {
        type: "String",
        description: "The company's DingTalk CorpId (the page asks DingTalk for a sign-in code with it)",
      }).valueAsString,
      // Empty where the company is not on WeCom: the page then signs in with DingTalk only.
      wecomCorpId: new CfnParameter(scope, "WeComCorpId", {
        type: "String",
        default: "",
        description: "The company's WeCom CorpId (the page asks WeCom's web authorisation for a code with it), or empty",
      }).valueAsString,
      wecomAgentId: new CfnParameter(scope, "WeComAgentId", {
        type: "String",
        default: "",
        description: "The AgentId of the company's WeCom self-built app that opens the page, or empty",
      }).valueAsString,
    },
    tokenService,
  };
}

function tokenServiceSecrets(scope: Construct, config: StageConfig, removalPolicy: RemovalPolicy): TokenServiceSecrets {
  const signingKeys = new Secret(scope, "TokenSigningKeys", {
    description: `Laurel ${config.stage}: the token service's ES256 signing keys (npm run token-keys -- rotate)`,
    removalPolicy,
  });
  Validations.of(signingKeys).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "A key ring, not a password: rotating adds a new key first and drops the old one only after its tokens expired (npm run token-keys -- rotate, docs/DEPLOY.md), so that no signed-in person is signed out.",
  });
  const wecomApp = new Secret(scope, "WeComApp", {
    description: `Laurel ${config.stage}: the WeCom self-built app's corp id and secret, as {"corpId","corpSecret"} (set by an operator, docs/DEPLOY.md)`,
    removalPolicy,
  });
  Validations.of(wecomApp).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "WeCom issues the app's Secret: it is reset in WeCom's admin console and pasted here (docs/DEPLOY.md), which no rotation Lambda can do.",
  });
  return { signingKeys, wecomApp };
}
