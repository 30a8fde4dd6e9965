/**
 * DingTalk's server API (oapi.dingtalk.com) for the company's internal app (企业内部应用), as
 * documented at open.dingtalk.com, and the one place Laurel speaks it: an app access token from
 * the AppKey and AppSecret (`GET /gettoken`, good for 7,200 s, kept until five minutes before it
 * expires and asked again once when DingTalk says it was revoked), then
 * - the user behind a 免登 auth code (`POST /topapi/v2/user/getuserinfo`; a code is good for five
 *   minutes, once), for sign-in;
 * - a user's and a department's details (`POST /topapi/v2/user/get`, `/topapi/v2/department/get`),
 *   for the org sync;
 * - a work notification (`POST /topapi/message/corpconversation/asyncsend_v2`).
 * Answers carry `errcode` (0 is success) and `errmsg`. The base URL is DINGTALK_API_BASE, so that
 * tests speak to a fake of the documented protocol. The app's credentials are one secret
 * (DINGTALK_APP_SECRET_ARN in AWS, DINGTALK_APP's JSON locally), shared by sign-in, the org sync
 * and the deliverer.
 */
import { DomainError } from "../../domain/kernel/errors.ts";
import { type CodeExchange, SignInRefusal } from "../../domain/sign-in/index.ts";
import { AppAccessToken, tokenErrors } from "../secrets/access-token.ts";
import { jsonSecret } from "../secrets/cached-secret.ts";

/** The secret's JSON. The callback's token and AES key are set when the org sync is. */
export interface DingTalkApp {
  appKey: string;
  appSecret: string;
  callbackToken?: string;
  aesKey?: string;
  /** Whom DingTalk encrypts callbacks for: the app key (the default) or the corp id. */
  ownerKey?: string;
}

export interface DingTalkUser {
  userid: string;
  name: string;
  dept_id_list: number[];
  job_number?: string;
  manager_userid?: string;
}

export interface DingTalkDepartment {
  dept_id: number;
  name: string;
  parent_id?: number;
  dept_manager_userid_list?: string[];
}

export interface WorkNotice {
  title: string;
  markdown: string;
}

interface Answer {
  errcode: number;
  errmsg?: string;
  [key: string]: unknown;
}

/** The code itself is at fault (getuserinfo). */
const codeErrors = new Set([40078, 40079]);
/** 60121: no such user; 60003: no such department. */
const notFoundErrors = new Set([60121, 60003]);

/** DingTalk could not be reached or refused: 503, so that DingTalk retries a callback and the deliverer a notice. */
export class DingTalkUnavailable extends DomainError {
  readonly errcode: number | undefined;
  constructor(why: string, errcode?: number, options?: ErrorOptions) {
    super("unavailable", "dingtalk-unavailable", `DingTalk ${why}.`, {}, options);
    this.errcode = errcode;
  }
}

export class DingTalkApi implements CodeExchange {
  readonly #base: string;
  readonly #app: () => Promise<DingTalkApp | undefined>;
  readonly #timeoutMs: number;
  readonly #token = new AppAccessToken(async () => {
    const app = await this.#app();
    if (!app?.appKey || !app.appSecret) throw new DingTalkUnavailable("app's AppKey and AppSecret are not set (docs/DEPLOY.md)");
    const answer = await this.#call(`/gettoken?${new URLSearchParams({ appkey: app.appKey, appsecret: app.appSecret })}`, {
      method: "GET",
    });
    return { value: String(answer.access_token), expiresInSeconds: Number(answer.expires_in ?? 7200) };
  });

  constructor(base: string, app: () => Promise<DingTalkApp | undefined>, timeoutMs = 5000) {
    this.#base = base.replace(/\/$/, "");
    this.#app = app;
    this.#timeoutMs = timeoutMs;
  }

  static fromEnv(env = process.env, timeoutMs?: number): DingTalkApi {
    const secret = jsonSecret<DingTalkApp>("DINGTALK_APP_SECRET_ARN", "DINGTALK_APP", env);
    return new DingTalkApi(env.DINGTALK_API_BASE ?? "https://oapi.dingtalk.com", () => secret.get(), timeoutMs);
  }

  /** The app's credentials, or nothing when an operator has not set them yet. */
  app(): Promise<DingTalkApp | undefined> {
    return this.#app();
  }

  async userIdByCode(code: string): Promise<string> {
    try {
      const { result } = await this.#post("/topapi/v2/user/getuserinfo", { code });
      const userid = (result as { userid?: unknown } | undefined)?.userid;
      if (typeof userid !== "string") throw new DingTalkUnavailable("answered getuserinfo without a userid");
      return userid;
    } catch (error) {
      if (error instanceof DingTalkUnavailable && codeErrors.has(error.errcode ?? -1)) throw new SignInRefusal("code-refused");
      throw new SignInRefusal("provider-unavailable", { cause: error });
    }
  }

  user(userid: string): Promise<DingTalkUser | undefined> {
    return this.#result<DingTalkUser>("/topapi/v2/user/get", { userid, language: "zh_CN" });
  }

  department(deptId: number): Promise<DingTalkDepartment | undefined> {
    return this.#result<DingTalkDepartment>("/topapi/v2/department/get", { dept_id: deptId, language: "zh_CN" });
  }

  async sendWorkNotice(agentId: string, userId: string, notice: WorkNotice): Promise<void> {
    const msg = { msgtype: "markdown", markdown: { title: notice.title, text: notice.markdown } };
    await this.#post("/topapi/message/corpconversation/asyncsend_v2", { agent_id: Number(agentId), userid_list: userId, msg });
  }

  async #result<T>(path: string, body: unknown): Promise<T | undefined> {
    try {
      return (await this.#post(path, body)).result as T;
    } catch (error) {
      if (error instanceof DingTalkUnavailable && notFoundErrors.has(error.errcode ?? -1)) return undefined;
      throw error;
    }
  }

  async #post(path: string, body: unknown): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#token.get();
      try {
        return await this.#call(`${path}?access_token=${encodeURIComponent(token)}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      } catch (error) {
        if (!(error instanceof DingTalkUnavailable) || !tokenErrors.has(error.errcode ?? -1) || attempt === 2) throw error;
        this.#token.drop();
      }
    }
  }

  async #call(path: string, init: RequestInit): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new DingTalkUnavailable("could not be reached", undefined, { cause: error });
    }
    const answer = (await response.json().catch(() => undefined)) as Answer | undefined;
    if (!response.ok || !answer) throw new DingTalkUnavailable(`answered HTTP ${response.status}`);
    if (answer.errcode !== 0) throw new DingTalkUnavailable(`answered ${answer.errcode}: ${answer.errmsg ?? ""}`, answer.errcode);
    return answer;
  }
}
