/**
 * A ring of secret keys in Secrets Manager (its ARN in one variable) or, locally and in tests, in
 * another variable: one long random string (key id "k0"), or `{"current":"k1","keys":{"k0":"…",
 * "k1":"…"}}`, read as every secret is (cached-secret.ts); a key id not yet seen reads it again.
 * The sealing of webhook secrets and the signing of badge credentials each have their own.
 */
import { createHash } from "node:crypto";
import { CachedSecret } from "./cached-secret.ts";

export interface KeyRing {
  current: string;
  /** Each key's 32 bytes of material (SHA-256 of its text). */
  keys: ReadonlyMap<string, Buffer>;
}

/** The ring in `arnVariable`'s secret (AWS) or `textVariable`'s text. */
export const keyRingSecret = (arnVariable: string, textVariable: string, env = process.env): CachedSecret<KeyRing> =>
  CachedSecret.fromEnv(arnVariable, textVariable, keyRingFrom, env);

/** A ring given by a reader (tests), or the cached secret itself. */
export const keyRingOf = (source: CachedSecret<KeyRing> | (() => Promise<string | undefined>)): CachedSecret<KeyRing> =>
  source instanceof CachedSecret ? source : new CachedSecret(source, keyRingFrom);

/** One key, or a ring of them; any long random string works as key material (SHA-256 makes the 32 bytes). */
export function keyRingFrom(value: string | undefined): KeyRing {
  const material = (text: unknown) => {
    if (typeof text !== "string" || text.length < 32) throw new Error("each secret key must be at least 32 characters of random text");
    return createHash("sha256").update(text).digest();
  };
  if (!value?.trimStart().startsWith("{")) return { current: "k0", keys: new Map([["k0", material(value)]]) };
  const ring = JSON.parse(value) as { current?: unknown; keys?: Record<string, unknown> };
  const keys = new Map(Object.entries(ring.keys ?? {}).map(([id, text]) => [id, material(text)] as const));
  if (typeof ring.current !== "string" || !keys.has(ring.current) || [...keys.keys()].some((id) => !/^[a-z0-9]{1,16}$/.test(id)))
    throw new Error(
      'a key ring is {"current":"<id>","keys":{"<id>":"<key>",…}}, ids of 1 to 16 lowercase letters or digits, the current one among them',
    );
  return { current: ring.current, keys };
}
