/**
 * Bearer-token verification with jose. In AWS the API Gateway JWT authorizer checks tokens too;
 * verifying again here keeps one code path for Lambda and the local server.
 *
 * Configuration: JWT_ISSUER, JWT_AUDIENCE, and either JWKS_URL (Cognito) or JWT_PUBLIC_JWK (the
 * local dev issuer's public key). PERSON_ID_CLAIM names the claim holding the person id
 * (`sub` locally, `username` with Cognito access tokens).
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import type { Caller } from "../../domain/directory/index.ts";
import { UnauthenticatedError } from "../../domain/kernel/errors.ts";
import { type PersonId, type Role, roles } from "../../domain/kernel/model.ts";
import { idPattern } from "../../domain/kernel/schemas.ts";

export interface AuthConfig {
  issuer: string;
  audience: string;
  personIdClaim: string;
  keys: Parameters<typeof jwtVerify>[1];
}

export function authConfigFromEnv(env = process.env): AuthConfig {
  const issuer = env.JWT_ISSUER;
  const audience = env.JWT_AUDIENCE;
  if (!issuer || !audience) throw new Error("JWT_ISSUER and JWT_AUDIENCE must be set");
  const keys = env.JWKS_URL
    ? createRemoteJWKSet(new URL(env.JWKS_URL))
    : env.JWT_PUBLIC_JWK
      ? createLocalJWKSet({ keys: [JSON.parse(env.JWT_PUBLIC_JWK)] })
      : undefined;
  if (!keys) throw new Error("JWKS_URL or JWT_PUBLIC_JWK must be set");
  return { issuer, audience, personIdClaim: env.PERSON_ID_CLAIM ?? "sub", keys };
}

export async function authenticate(authorization: string | undefined, config: AuthConfig): Promise<Caller> {
  const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? "")?.[1];
  // RFC 6750 §3.1: a request without credentials is told the scheme, with no error code.
  if (!token) throw new UnauthenticatedError("Send a bearer token in the Authorization header.", { challenge: 'Bearer realm="laurel"' });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, config.keys as Parameters<typeof jwtVerify>[1] & object, {
      issuer: config.issuer,
      algorithms: ["RS256", "ES256"],
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    throw new UnauthenticatedError("The bearer token is invalid or expired; sign in again.", { cause: error });
  }
  // Cognito access tokens carry the app client in client_id instead of aud.
  const audiences = [payload.aud, payload.client_id].flat().filter((a): a is string => typeof a === "string");
  if (!audiences.includes(config.audience)) throw new UnauthenticatedError("The bearer token was not issued for this API.");
  const personId = payload[config.personIdClaim];
  if (typeof personId !== "string" || !idPattern.test(personId)) {
    throw new UnauthenticatedError("The bearer token does not name a person.");
  }
  const groups = payload["cognito:groups"];
  const callerRoles = (Array.isArray(groups) ? groups : []).filter((g): g is Role => roles.includes(g as Role));
  return { personId: personId as PersonId, roles: callerRoles };
}
