/**
 * Laurel's token signing keys: a ring of ES256 private JWKs, newest first, each with its `kid`.
 * Every key in the ring is published in the JWKS. A new key (put in front by npm run token-keys
 * -- rotate) begins to sign only once every instance publishes it (after the secret cache's
 * lifetime), and a retired key is dropped only once its last token has expired: rotating signs
 * nobody out and no token is ever signed by a key the authorizer cannot find.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { DomainError } from "../../domain/kernel/errors.ts";
import { type TokenSigner, tokenLifetimeSeconds } from "../../domain/sign-in/index.ts";
import { secretCacheMs } from "./config.ts";

/** A key signs once it has been published this long; twice the cache's lifetime, for the clocks' sake. */
export const publishBeforeSigningMs = 2 * secretCacheMs;
/** How long a key stays in the ring after its successor began to sign: its tokens' lifetime, and a margin. */
export const keepRetiredMs = tokenLifetimeSeconds * 1000 + publishBeforeSigningMs;

export interface KeyRing {
  /** Private JWKs, newest first; `createdAt` is when the key began to sign. */
  keys: (JWK & { kid: string; createdAt: string })[];
}

/** A JWK's public half: what the JWKS publishes. */
export const publicJwk = ({ kty, crv, x, y, kid }: KeyRing["keys"][number]): Record<string, unknown> => ({
  kty,
  crv,
  x,
  y,
  kid,
  alg: "ES256",
  use: "sig",
});

export const jwks = (ring: KeyRing | undefined) => ({ keys: (ring?.keys ?? []).map(publicJwk) });

export async function newSigningKey(now: Date): Promise<KeyRing["keys"][number]> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    kid: `laurel-${now.toISOString().replace(/[-:.]/g, "").slice(0, 15)}`,
    alg: "ES256",
    createdAt: now.toISOString(),
  };
}

/** The key that signs at `now`: the newest published long enough, else (a new ring) the oldest. */
export function signingKey(ring: KeyRing, now: Date): KeyRing["keys"][number] | undefined {
  return ring.keys.find((key) => now.getTime() - Date.parse(key.createdAt) >= publishBeforeSigningMs) ?? ring.keys.at(-1);
}

/**
 * The ring after a rotation at `now`: the new key in front, and the older keys that may still
 * have valid tokens out. Key i retired when key i - 1 began to sign.
 */
export function rotated(ring: KeyRing, key: KeyRing["keys"][number], now: Date): KeyRing {
  const retiredAt = (i: number) => Date.parse(ring.keys[i - 1]?.createdAt ?? "") + publishBeforeSigningMs;
  const kept = ring.keys.filter((_, i) => i === 0 || now.getTime() - retiredAt(i) < keepRetiredMs);
  return { keys: [key, ...kept] };
}

export function signer(issuer: string, audience: string, ring: () => Promise<KeyRing | undefined>): TokenSigner {
  return {
    async sign(claims, expiresAt) {
      const keys = await ring();
      const newest = keys && signingKey(keys, new Date());
      if (!newest) {
        throw new DomainError(
          "unavailable",
          "sign-in-not-set-up",
          "The token service has no signing key yet: run npm run token-keys -- rotate (docs/DEPLOY.md).",
        );
      }
      return new SignJWT({ roles: [...claims.roles], amr: [...claims.amr] })
        .setProtectedHeader({ alg: "ES256", kid: newest.kid, typ: "JWT" })
        .setSubject(claims.sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(await importJWK(newest, "ES256"));
    },
  };
}
