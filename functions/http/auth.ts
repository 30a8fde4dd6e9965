/**
 * Bearer-token verification with jose. In AWS the API Gateway JWT authorizer checks tokens too;
 * verifying again here keeps one code path for Lambda and the local server.
 *
 * Configuration: JWT_ISSUER, JWT_AUDIENCE (comma-separated), and the keys: JWKS_URL (Cognito,
 * Laurel's token service), OIDC_DISCOVERY=true (any OIDC issuer: its discovery document names
 * them) or JWT_PUBLIC_JWK (the local dev issuer's public key). PERSON_ID_CLAIM names the claim
 * holding the person id (`sub`; `username` in Cognito access tokens); ROLES_CLAIM the claim
 * holding the roles (`cognito:groups` by default), or ROLES_FROM=directory: the person is the
 * one whose OIDC identity is the token's `sub`, with the roles the directory holds.
 * Locally, TOKEN_ISSUER and TOKEN_SIGNING_KEYS make the local token service a second issuer.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { type Caller, type Directory, isActive } from "../../domain/directory/index.ts";
import { UnauthenticatedError } from "../../domain/kernel/errors.ts";
import { type PersonId, type Role, roles } from "../../domain/kernel/model.ts";
import { idPattern } from "../../domain/kernel/schemas.ts";

/** The audience of the tokens Laurel's own token service issues (POST /auth/dingtalk). */
export const tokenAudience = "laurel";

type Keys = Parameters<typeof jwtVerify>[1] & object;

export interface TrustedIssuer {
  issuer: string;
  audiences: readonly string[];
  personIdClaim: string;
  roles: { claim: string } | { from: "directory" };
  keys: Keys;
}

export interface AuthConfig {
  issuers: readonly TrustedIssuer[];
  /** For issuers whose people and roles are in the directory. */
  directory?: Pick<Directory, "personByIdentity">;
}

export function authConfigFromEnv(env = process.env, directory?: AuthConfig["directory"]): AuthConfig {
  const issuer = env.JWT_ISSUER;
  const audience = env.JWT_AUDIENCE;
  if (!issuer || !audience) throw new Error("JWT_ISSUER and JWT_AUDIENCE must be set");
  const keys = env.JWKS_URL
    ? createRemoteJWKSet(new URL(env.JWKS_URL))
    : env.OIDC_DISCOVERY === "true"
      ? discoveredKeys(issuer)
      : env.JWT_PUBLIC_JWK
        ? createLocalJWKSet({ keys: [JSON.parse(env.JWT_PUBLIC_JWK)] })
        : undefined;
  if (!keys) throw new Error("JWKS_URL, OIDC_DISCOVERY or JWT_PUBLIC_JWK must be set");
  const primary: TrustedIssuer = {
    issuer,
    audiences: audience.split(","),
    personIdClaim: env.PERSON_ID_CLAIM ?? "sub",
    roles: env.ROLES_FROM === "directory" ? { from: "directory" } : { claim: env.ROLES_CLAIM ?? "cognito:groups" },
    keys: keys as Keys,
  };
  return { issuers: [primary, ...localTokenService(env)], ...(directory ? { directory } : {}) };
}

/** The JWKS named by the issuer's discovery document, fetched on the first token. */
function discoveredKeys(issuer: string): Keys {
  let keys: Promise<Keys> | undefined;
  const load = async (): Promise<Keys> => {
    const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(3000) });
    const { jwks_uri } = (await response.json()) as { jwks_uri?: string };
    if (!jwks_uri) throw new Error(`${issuer} publishes no jwks_uri`);
    return createRemoteJWKSet(new URL(jwks_uri)) as Keys;
  };
  return (async (...args: Parameters<ReturnType<typeof createRemoteJWKSet>>) => {
    keys ??= load().catch((error) => {
      keys = undefined;
      throw error;
    });
    return ((await keys) as ReturnType<typeof createRemoteJWKSet>)(...args);
  }) as Keys;
}

/** The local token service (npm start, tests): its public keys come from the key ring in the environment. */
function localTokenService(env: NodeJS.ProcessEnv): TrustedIssuer[] {
  if (!env.TOKEN_ISSUER || !env.TOKEN_SIGNING_KEYS || env.TOKEN_ISSUER === env.JWT_ISSUER) return [];
  const ring = JSON.parse(env.TOKEN_SIGNING_KEYS) as { keys: { kty: string; crv: string; x: string; y: string; kid: string }[] };
  const keys = ring.keys.map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid, alg: "ES256" }));
  return [
    {
      issuer: env.TOKEN_ISSUER,
      audiences: [tokenAudience],
      personIdClaim: "sub",
      roles: { claim: "roles" },
      keys: createLocalJWKSet({ keys }) as Keys,
    },
  ];
}

export async function authenticate(authorization: string | undefined, config: AuthConfig): Promise<Caller> {
  const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? "")?.[1];
  // RFC 6750 §3.1: a request without credentials is told the scheme, with no error code.
  if (!token) throw new UnauthenticatedError("Send a bearer token in the Authorization header.", { challenge: 'Bearer realm="laurel"' });
  const { payload, trusted } = await verifiedBy(token, config.issuers);
  // Cognito access tokens carry the app client in client_id instead of aud.
  const audiences = [payload.aud, payload.client_id].flat().filter((a): a is string => typeof a === "string");
  if (!audiences.some((a) => trusted.audiences.includes(a)))
    throw new UnauthenticatedError("The bearer token was not issued for this API.");
  if ("from" in trusted.roles) return fromDirectory(payload, config);
  const personId = payload[trusted.personIdClaim];
  if (typeof personId !== "string" || !idPattern.test(personId)) {
    throw new UnauthenticatedError("The bearer token does not name a person.");
  }
  return { personId: personId as PersonId, roles: knownRoles(payload[trusted.roles.claim]) };
}

/** Verified by the issuer the token names; a token of any other issuer is refused. */
export async function verifiedBy(
  token: string,
  issuers: readonly TrustedIssuer[],
): Promise<{ payload: JWTPayload; trusted: TrustedIssuer }> {
  let iss: unknown;
  try {
    iss = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")).iss;
  } catch {
    iss = undefined;
  }
  const trusted = issuers.find((candidate) => candidate.issuer === iss) ?? issuers[0];
  if (!trusted) throw new UnauthenticatedError("No token issuer is configured.");
  try {
    const { payload } = await jwtVerify(token, trusted.keys, {
      issuer: trusted.issuer,
      algorithms: ["RS256", "ES256"],
      requiredClaims: ["exp"],
    });
    return { payload, trusted };
  } catch (error) {
    throw new UnauthenticatedError("The bearer token is invalid or expired; sign in again.", { cause: error });
  }
}

async function fromDirectory(payload: JWTPayload, config: AuthConfig): Promise<Caller> {
  const person = payload.sub && config.directory ? await config.directory.personByIdentity("oidc", payload.sub) : undefined;
  if (!person) throw new UnauthenticatedError("The bearer token's subject is not a person in the directory; ask an admin to add them.");
  if (!isActive(person)) throw new UnauthenticatedError("The bearer token's subject has left the company.");
  return { personId: person.personId, roles: person.roles ?? [] };
}

const knownRoles = (claim: unknown): Role[] => (Array.isArray(claim) ? claim : []).filter((g): g is Role => roles.includes(g as Role));
