/**
 * WeCom's server API (qyapi.weixin.qq.com) for the company's self-built app (自建应用), as documented
 * at developer.work.weixin.qq.com, as much as sign-in needs: an access token from the corp id and
 * the app's secret (`GET /cgi-bin/gettoken?corpid=&corpsecret=`, good for 7,200 s, kept until five
 * minutes before it expires and asked again once when WeCom says it was revoked), then the member
 * behind a web authorisation code (网页授权, `GET /cgi-bin/auth/getuserinfo?access_token=&code=`;
 * a code is good for five minutes, once): `userid` for a member of the company, `openid` for
 * someone outside it. Answers carry `errcode` (0 is success) and `errmsg`. The base URL is
 * WECOM_API_BASE, so that tests speak to a fake of the documented protocol; the app's credentials
 * are one secret (WECOM_APP_SECRET_ARN in AWS, WECOM_APP's JSON locally).
 */
import { type CodeExchange, SignInRefusal } from "../../domain/sign-in/index.ts";
import { AppAccessToken, tokenErrors } from "../secrets/access-token.ts";
import { jsonSecret } from "../secrets/cached-secret.ts";

export interface WeComApp {
  corpId: string;
  corpSecret: string;
}

interface Answer {
  errcode: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  userid?: string;
  openid?: string;
}

/** 40029: the code is not valid (unknown, expired or used). */
const codeErrors = new Set([40029]);

export class WeComApi implements CodeExchange {
  readonly #base: string;
  readonly #app: () => Promise<WeComApp | undefined>;
  readonly #timeoutMs: number;
  readonly #token = new AppAccessToken(async () => {
    const app = await this.#app();
    if (!app?.corpId || !app.corpSecret) throw unavailable("the WeCom app's corpId and corpSecret are not set (docs/DEPLOY.md)");
    const answer = await this.#call(`/cgi-bin/gettoken?${new URLSearchParams({ corpid: app.corpId, corpsecret: app.corpSecret })}`);
    if (answer.errcode !== 0 || !answer.access_token) throw unavailable(`gettoken answered ${answer.errcode}`);
    return { value: answer.access_token, expiresInSeconds: answer.expires_in ?? 7200 };
  });

  constructor(base: string, app: () => Promise<WeComApp | undefined>, timeoutMs = 3000) {
    this.#base = base.replace(/\/$/, "");
    this.#app = app;
    this.#timeoutMs = timeoutMs;
  }

  static fromEnv(env = process.env): WeComApi {
    const secret = jsonSecret<WeComApp>("WECOM_APP_SECRET_ARN", "WECOM_APP", env);
    return new WeComApi(env.WECOM_API_BASE ?? "https://qyapi.weixin.qq.com", () => secret.get());
  }

  async userIdByCode(code: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.#call(`/cgi-bin/auth/getuserinfo?${new URLSearchParams({ access_token: await this.#token.get(), code })}`);
      if (answer.errcode === 0 && typeof answer.userid === "string") return answer.userid;
      // Someone WeCom knows, but not as a member of the company (an openid only).
      if (answer.errcode === 0) throw new SignInRefusal("person-not-registered");
      if (codeErrors.has(answer.errcode)) throw new SignInRefusal("code-refused");
      if (!tokenErrors.has(answer.errcode) || attempt === 2) throw unavailable(`auth/getuserinfo answered ${answer.errcode}`);
      this.#token.drop();
    }
  }

  async #call(path: string): Promise<Answer> {
    try {
      const response = await fetch(`${this.#base}${path}`, { signal: AbortSignal.timeout(this.#timeoutMs) });
      if (!response.ok) throw new Error(`WeCom answered HTTP ${response.status}`);
      return (await response.json()) as Answer;
    } catch (error) {
      throw unavailable("WeCom could not be reached", error);
    }
  }
}

const unavailable = (why: string, cause?: unknown) => new SignInRefusal("provider-unavailable", { cause: cause ?? new Error(why) });
