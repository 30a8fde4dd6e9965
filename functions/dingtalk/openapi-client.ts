/**
 * DingTalk's server API (oapi.dingtalk.com), as much as the org sync reads: an access token for
 * the app (`GET /gettoken`, kept until shortly before it expires), a user's details
 * (`POST /topapi/v2/user/get`) and a department's (`POST /topapi/v2/department/get`). The base URL
 * is configurable, so that tests speak to a fake of the documented protocol.
 */
import { DomainError } from "../../domain/kernel/errors.ts";

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

export interface DingTalkApiConfig {
  baseUrl: string;
  appKey: string;
  appSecret: string;
}

/** errcode 60121: no such user; 60003: no such department (DingTalk's error codes). */
const notFoundCodes = new Set([60121, 60003]);

export class DingTalkApi {
  readonly #config: DingTalkApiConfig;
  #token: { value: string; expires: number } | undefined;

  constructor(config: DingTalkApiConfig) {
    this.#config = config;
  }

  user(userid: string): Promise<DingTalkUser | undefined> {
    return this.#post<DingTalkUser>("/topapi/v2/user/get", { userid, language: "zh_CN" });
  }

  department(deptId: number): Promise<DingTalkDepartment | undefined> {
    return this.#post<DingTalkDepartment>("/topapi/v2/department/get", { dept_id: deptId, language: "zh_CN" });
  }

  async #post<T>(path: string, body: unknown): Promise<T | undefined> {
    const answer = await this.#call(`${path}?access_token=${encodeURIComponent(await this.#accessToken())}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (notFoundCodes.has(answer.errcode)) return undefined;
    return answer.result as T;
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expires > Date.now()) return this.#token.value;
    const query = new URLSearchParams({ appkey: this.#config.appKey, appsecret: this.#config.appSecret });
    const answer = await this.#call(`/gettoken?${query}`, { method: "GET" });
    // Renewed 5 minutes early: a token that expires in flight fails the call.
    this.#token = { value: String(answer.access_token), expires: Date.now() + (Number(answer.expires_in) - 300) * 1000 };
    return this.#token.value;
  }

  async #call(path: string, init: RequestInit): Promise<{ errcode: number; errmsg?: string; [key: string]: unknown }> {
    const response = await fetch(`${this.#config.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    const answer = (await response.json().catch(() => ({ errcode: -1, errmsg: `HTTP ${response.status}` }))) as {
      errcode: number;
      errmsg?: string;
    };
    if (response.ok && (answer.errcode === 0 || notFoundCodes.has(answer.errcode))) return answer;
    throw new DomainError("unavailable", "dingtalk-unavailable", `DingTalk answered ${answer.errcode}: ${answer.errmsg ?? ""}`);
  }
}
