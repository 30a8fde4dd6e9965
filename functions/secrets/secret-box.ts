/**
 * Seals source signing secrets (AES-256-GCM) before they are stored. The key ring comes from
 * Secrets Manager in AWS (SECRET_KEY_ARN, read once and cached for five minutes) or, locally and
 * in tests, from LAUREL_SECRET_KEY. Signing secrets must be recoverable to check HMACs, so they
 * are encrypted, not hashed.
 *
 * The value is either one key (random text, at least 32 characters: key id "k0") or a key ring,
 * `{"current":"k1","keys":{"k0":"…","k1":"…"}}`. Every sealed secret names the key that sealed
 * it (`v2.<keyId>.…`; the older `v1.…` form is "k0"), new secrets are sealed under the current
 * key, and any key of the ring opens. Rotation (docs/OPERATIONS.md): add a key and make it
 * current, `npm run reseal`, then drop the old key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { SecretSealer } from "../../domain/awards/index.ts";

const cacheMs = 5 * 60_000;

export interface KeyRing {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class SecretBox implements SecretSealer {
  #ring: { value: Promise<KeyRing>; expires: number } | undefined;
  readonly #load: () => Promise<string | undefined>;

  constructor(load: () => Promise<string | undefined>) {
    this.#load = load;
  }

  static fromEnv(env = process.env): SecretBox {
    const arn = env.SECRET_KEY_ARN;
    if (arn) {
      // Loaded on first use only: most requests never open a secret, so cold starts skip it.
      return new SecretBox(async () => {
        const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
        return (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
      });
    }
    return new SecretBox(async () => env.LAUREL_SECRET_KEY);
  }

  async seal(plaintext: string): Promise<string> {
    const ring = await this.#keyRing();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", ring.keys.get(ring.current) as Buffer, iv);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `v2.${ring.current}.${iv.toString("base64url")}.${sealed.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
  }

  async open(sealed: string): Promise<string> {
    const { keyId, iv, data, tag } = parseSealed(sealed);
    let key = (await this.#keyRing()).keys.get(keyId);
    // A key added since the ring was cached (a rotation under way): read the ring again, once.
    if (!key) key = (await this.#keyRing(true)).keys.get(keyId);
    if (!key) throw new Error(`sealed under key ${keyId}, which the key ring does not hold`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }

  async isCurrent(sealed: string): Promise<boolean> {
    return parseSealed(sealed).keyId === (await this.#keyRing()).current;
  }

  #keyRing(fresh = false): Promise<KeyRing> {
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

/** The key id a sealed secret names; the first form, `v1`, was always sealed under "k0". */
export function parseSealed(sealed: string): { keyId: string; iv: string; data: string; tag: string } {
  const parts = sealed.split(".");
  const [keyId, iv, data, tag] = parts[0] === "v1" ? ["k0", ...parts.slice(1)] : parts[0] === "v2" ? parts.slice(1) : [];
  if (!keyId || !iv || !data || !tag) throw new Error("not a sealed secret");
  return { keyId, iv, data, tag };
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
