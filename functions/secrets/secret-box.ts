/**
 * Seals source signing secrets (AES-256-GCM) before they are stored. The key comes from Secrets
 * Manager in AWS (SECRET_KEY_ARN, read once and cached for five minutes) or, locally and in tests,
 * from LAUREL_SECRET_KEY (random text, at least 32 characters). Signing secrets must be recoverable to check HMACs,
 * so they are encrypted, not hashed.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const cacheMs = 5 * 60_000;

export class SecretBox {
  #key: { value: Promise<Buffer>; expires: number } | undefined;
  readonly #load: () => Promise<Buffer>;

  constructor(load: () => Promise<Buffer>) {
    this.#load = load;
  }

  static fromEnv(env = process.env): SecretBox {
    const arn = env.SECRET_KEY_ARN;
    if (arn) {
      // Loaded on first use only: most requests never open a secret, so cold starts skip it.
      return new SecretBox(async () => {
        const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
        const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
        return keyFrom(SecretString);
      });
    }
    return new SecretBox(async () => keyFrom(env.LAUREL_SECRET_KEY));
  }

  async seal(plaintext: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", await this.#keyValue(), iv);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `v1.${iv.toString("base64url")}.${sealed.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
  }

  async open(sealed: string): Promise<string> {
    const [version, iv, data, tag] = sealed.split(".");
    if (version !== "v1" || !iv || !data || !tag) throw new Error("not a sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", await this.#keyValue(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }

  #keyValue(): Promise<Buffer> {
    const now = Date.now();
    if (!this.#key || this.#key.expires <= now) {
      const value = this.#load();
      value.catch(() => {
        this.#key = undefined;
      });
      this.#key = { value, expires: now + cacheMs };
    }
    return this.#key.value;
  }
}

/** Any long random string works as key material: SHA-256 makes it the 32 bytes AES-256 needs. */
function keyFrom(value: string | undefined): Buffer {
  if (!value || value.length < 32) throw new Error("the secret key must be at least 32 characters of random text");
  return createHash("sha256").update(value).digest();
}
