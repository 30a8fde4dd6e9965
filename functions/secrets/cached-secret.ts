/**
 * A secret from Secrets Manager (its ARN in one variable) or, locally and in tests, the text of
 * another variable. Read on first use, not at module load (most requests never need it, so cold
 * starts skip it), and kept five minutes per instance, so that a rotated secret reaches every
 * instance in bounded time. A failed read is not kept: the next use tries again.
 */

/** How long an instance keeps a secret it read. */
export const secretCacheMs = 5 * 60_000;

export class CachedSecret<T> {
  #cached: { value: Promise<T>; expires: number } | undefined;
  readonly #read: () => Promise<string | undefined>;
  readonly #parse: (text: string | undefined) => T;

  constructor(read: () => Promise<string | undefined>, parse: (text: string | undefined) => T) {
    this.#read = read;
    this.#parse = parse;
  }

  static fromEnv<T>(arnVariable: string, textVariable: string, parse: (text: string | undefined) => T, env = process.env): CachedSecret<T> {
    const arn = env[arnVariable];
    if (!arn) return new CachedSecret(async () => env[textVariable], parse);
    return new CachedSecret(async () => {
      const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
      return (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
    }, parse);
  }

  /** `fresh` reads it again now: a key id not yet seen may be a rotation under way. */
  get(fresh = false): Promise<T> {
    const now = Date.now();
    if (fresh || !this.#cached || this.#cached.expires <= now) {
      const value = this.#read().then(this.#parse);
      value.catch(() => {
        if (this.#cached?.value === value) this.#cached = undefined;
      });
      this.#cached = { value, expires: now + secretCacheMs };
    }
    return this.#cached.value;
  }
}

/**
 * A secret holding JSON. CloudFormation creates secrets with a random placeholder until an
 * operator sets them: text that is not a JSON object means "not set up yet".
 */
export const jsonSecret = <T>(arnVariable: string, textVariable: string, env = process.env): CachedSecret<T | undefined> =>
  CachedSecret.fromEnv(arnVariable, textVariable, (text) => (text?.trimStart().startsWith("{") ? (JSON.parse(text) as T) : undefined), env);
