/**
 * A ring of secret keys in Secrets Manager (its ARN in one variable) or, locally and in tests, in
 * another variable: one long random string (key id "k0"), or `{"current":"k1","keys":{"k0":"…",
 * "k1":"…"}}`. Read on first use and kept five minutes; a key id not yet seen reads it again.
 * The sealing of webhook secrets and the signing of badge credentials each have their own.
 */
import { createHash } from "node:crypto";

const cacheMs = 5 * 60_000;

export interface KeyRing {
  current: string;
  /** Each key's 32 bytes of material (SHA-256 of its text). */
  keys: ReadonlyMap<string, Buffer>;
}

export class CachedKeyRing {
  #ring: { value: Promise<KeyRing>; expires: number } | undefined;
  readonly #load: () => Promise<string | undefined>;

  constructor(load: () => Promise<string | undefined>) {
    this.#load = load;
  }

  /** From Secrets Manager when `arnVariable` is set, else from the text in `textVariable`. */
  static fromEnv(arnVariable: string, textVariable: string, env = process.env): CachedKeyRing {
    const arn = env[arnVariable];
    if (arn) {
      // Loaded on first use only: most requests never use a key, so cold starts skip it.
      return new CachedKeyRing(async () => {
        const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
        return (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
      });
    }
    return new CachedKeyRing(async () => env[textVariable]);
  }

  get(fresh = false): Promise<KeyRing> {
    const now = Date.now();
    if (fresh || !this.#ring || this.#ring.expires <= now) {
      const value = this.#load().then(keyRingFrom);
      value.catch(() => {
        this.#ring = undefined;
      });
      this.#ring = { value, expires: now + cacheMs };
    }
    return this.#ring.value;
  }
}

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
