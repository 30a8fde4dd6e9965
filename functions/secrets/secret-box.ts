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
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SecretSealer } from "../../domain/awards/index.ts";
import { CachedKeyRing } from "./key-ring.ts";

export class SecretBox implements SecretSealer {
  readonly #ring: CachedKeyRing;

  constructor(source: CachedKeyRing | (() => Promise<string | undefined>)) {
    this.#ring = source instanceof CachedKeyRing ? source : new CachedKeyRing(source);
  }

  static fromEnv(env = process.env): SecretBox {
    return new SecretBox(CachedKeyRing.fromEnv("SECRET_KEY_ARN", "LAUREL_SECRET_KEY", env));
  }

  async seal(plaintext: string): Promise<string> {
    const ring = await this.#ring.get();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", ring.keys.get(ring.current) as Buffer, iv);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `v2.${ring.current}.${iv.toString("base64url")}.${sealed.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
  }

  async open(sealed: string): Promise<string> {
    const { keyId, iv, data, tag } = parseSealed(sealed);
    let key = (await this.#ring.get()).keys.get(keyId);
    // A key added since the ring was cached (a rotation under way): read the ring again, once.
    if (!key) key = (await this.#ring.get(true)).keys.get(keyId);
    if (!key) throw new Error(`sealed under key ${keyId}, which the key ring does not hold`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }

  async isCurrent(sealed: string): Promise<boolean> {
    return parseSealed(sealed).keyId === (await this.#ring.get()).current;
  }
}

/** The key id a sealed secret names; the first form, `v1`, was always sealed under "k0". */
export function parseSealed(sealed: string): { keyId: string; iv: string; data: string; tag: string } {
  const parts = sealed.split(".");
  const [keyId, iv, data, tag] = parts[0] === "v1" ? ["k0", ...parts.slice(1)] : parts[0] === "v2" ? parts.slice(1) : [];
  if (!keyId || !iv || !data || !tag) throw new Error("not a sealed secret");
  return { keyId, iv, data, tag };
}
