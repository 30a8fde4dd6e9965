/**
 * A chat app's access token (DingTalk's, WeCom's): fetched with the app's credentials, kept until
 * five minutes before it expires (so it never expires between asking and using it), and dropped
 * when the app says it was revoked, to be fetched once more.
 */

/** Both apps answer a revoked or expired token with one of these errcodes. */
export const tokenErrors: ReadonlySet<number> = new Set([40001, 40014, 42001]);

export class AppAccessToken {
  readonly #fetch: () => Promise<{ value: string; expiresInSeconds: number }>;
  #token: { value: string; until: number } | undefined;

  constructor(fetch: () => Promise<{ value: string; expiresInSeconds: number }>) {
    this.#fetch = fetch;
  }

  async get(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    const { value, expiresInSeconds } = await this.#fetch();
    this.#token = { value, until: Date.now() + (expiresInSeconds - 300) * 1000 };
    return value;
  }

  /** The app refused it: the next `get` fetches a new one. */
  drop(): void {
    this.#token = undefined;
  }
}
