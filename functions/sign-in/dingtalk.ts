/**
 * DingTalk's server API for an enterprise internal app (企业内部应用), as documented at
 * open.dingtalk.com: an app access token from the app's AppKey and AppSecret
 * (`GET /gettoken?appkey=&appsecret=`, good for 7,200 s), then the user behind a 免登 auth code
 * (`POST /topapi/v2/user/getuserinfo?access_token=` with `{"code"}`; the code is good for 5
 * minutes, once). Answers carry `errcode` (0 is success) and `errmsg`. The base URL is
 * configurable (DINGTALK_API_BASE) so that tests run this client against a fake DingTalk.
 */
import { type CodeExchange, SignInRefusal } from "../../domain/sign-in/index.ts";

export interface DingTalkApp {
  appKey: string;
  appSecret: string;
}

/** errcodes DingTalk answers getuserinfo with when the code itself is at fault. */
const codeErrors = new Set([40078, 40079]);
/** The access token was revoked or has expired: get a new one and ask once more. */
const tokenErrors = new Set([40001, 40014, 42001]);
const timeoutMs = 3000;

interface Answer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  result?: { userid?: string };
}

export class DingTalkClient implements CodeExchange {
  readonly #base: string;
  readonly #app: () => Promise<DingTalkApp>;
  #token: { value: string; until: number } | undefined;

  constructor(base: string, app: () => Promise<DingTalkApp>) {
    this.#base = base.replace(/\/$/, "");
    this.#app = app;
  }

  async userIdByCode(code: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.#call(`/topapi/v2/user/getuserinfo?access_token=${encodeURIComponent(await this.#accessToken())}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code }),
      });
      if (answer.errcode === 0 && typeof answer.result?.userid === "string") return answer.result.userid;
      if (codeErrors.has(answer.errcode ?? -1)) throw new SignInRefusal("code-refused");
      if (!tokenErrors.has(answer.errcode ?? -1) || attempt === 2) throw unavailable(`getuserinfo answered ${answer.errcode}`);
      this.#token = undefined;
    }
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    const { appKey, appSecret } = await this.#app();
    const answer = await this.#call(`/gettoken?appkey=${encodeURIComponent(appKey)}&appsecret=${encodeURIComponent(appSecret)}`, {
      method: "GET",
    });
    if (answer.errcode !== 0 || !answer.access_token) throw unavailable(`gettoken answered ${answer.errcode}`);
    // Renewed five minutes early, so that a token never expires between asking and using it.
    this.#token = { value: answer.access_token, until: Date.now() + ((answer.expires_in ?? 7200) - 300) * 1000 };
    return this.#token.value;
  }

  async #call(path: string, init: RequestInit): Promise<Answer> {
    try {
      const response = await fetch(`${this.#base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`DingTalk answered HTTP ${response.status}`);
      return (await response.json()) as Answer;
    } catch (error) {
      throw unavailable("DingTalk could not be reached", error);
    }
  }
}

const unavailable = (why: string, cause?: unknown) => new SignInRefusal("provider-unavailable", { cause: cause ?? new Error(why) });
