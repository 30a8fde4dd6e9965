/**
 * The local stand-in for Cognito: an ES256 key pair kept on disk, tokens shaped like Cognito's
 * (`cognito:groups` for roles). Never used in AWS.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export const devIssuer = "laurel-dev-issuer";
export const devAudience = "laurel-local";

export interface DevIssuer {
  publicJwk: JWK;
  sign(
    personId: string,
    roles: readonly string[],
    options?: { expiresIn?: string; notBefore?: string; issuer?: string; audience?: string },
  ): Promise<string>;
}

export async function loadDevIssuer(file?: string): Promise<DevIssuer> {
  let keys: { privateJwk: JWK; publicJwk: JWK };
  if (file && existsSync(file)) {
    keys = JSON.parse(readFileSync(file, "utf8"));
  } else {
    const pair = await generateKeyPair("ES256", { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    keys = {
      privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: "ES256" },
      publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: "ES256" },
    };
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
    }
  }
  const privateKey = await importJWK(keys.privateJwk, "ES256");
  return {
    publicJwk: keys.publicJwk,
    sign: (personId, roles, options = {}) =>
      new SignJWT({ "cognito:groups": [...roles] })
        .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid as string })
        .setSubject(personId)
        .setIssuer(options.issuer ?? devIssuer)
        .setAudience(options.audience ?? devAudience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? "12h")
        .setNotBefore(options.notBefore ?? "0s")
        .sign(privateKey),
  };
}

/** The environment the handlers need to trust the dev issuer. */
export const devAuthEnv = (issuer: DevIssuer) => ({
  JWT_ISSUER: devIssuer,
  JWT_AUDIENCE: devAudience,
  JWT_PUBLIC_JWK: JSON.stringify(issuer.publicJwk),
  PERSON_ID_CLAIM: "sub",
});
