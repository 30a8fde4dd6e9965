/**
 * A fake DingTalk server API for an enterprise internal app, speaking the documented protocol
 * (open.dingtalk.com, 服务端 API): `GET /gettoken?appkey=&appsecret=` answers an access token
 * good for 7,200 s, or errcode 40089 for a wrong key or secret; with `?access_token=` (else
 * errcode 40014), `POST /topapi/v2/user/getuserinfo` with `{"code"}` answers `result.userid` for
 * a 免登 auth code, 40078 for an unknown, expired (older than 5 minutes) or used code;
 * `POST /topapi/v2/user/get` and `/topapi/v2/department/get` answer the details the test put in
 * `users` and `departments`, 60121 for an unknown user, 60003 for an unknown department. Only for
 * tests: never shipped.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DingTalkDepartment, DingTalkUser } from "../../functions/dingtalk/openapi-client.ts";

export interface FakeDingTalk {
  url: string;
  app: { appKey: string; appSecret: string };
  /** A 免登 auth code for the user, as dd.getAuthCode gives the page; `ageMs` makes an old one. */
  authCode(userId: string, options?: { ageMs?: number }): string;
  users: Map<string, DingTalkUser>;
  departments: Map<number, DingTalkDepartment>;
  /** What the fake was asked, by path. */
  calls: string[];
  /** DingTalk's codes are good once; false makes the fake accept a code again (to test Laurel's own guard). */
  singleUseCodes: boolean;
  close(): Promise<void>;
}

const codeLifetimeMs = 5 * 60 * 1000;

export async function startFakeDingTalk(
  app = { appKey: "dingfake0001", appSecret: randomBytes(24).toString("base64url") },
): Promise<FakeDingTalk> {
  const users = new Map<string, DingTalkUser>();
  const departments = new Map<number, DingTalkDepartment>();
  const accessTokens = new Set<string>();
  const codes = new Map<string, { userId: string; issuedAt: number; used: boolean }>();
  const calls: string[] = [];
  const answer = (res: ServerResponse, body: object) => {
    res.writeHead(200, { "content-type": "application/json;charset=utf-8" });
    res.end(JSON.stringify(body));
  };

  const userInfo = (body: string) => {
    const code = (JSON.parse(body || "{}") as { code?: string }).code ?? "";
    const issued = codes.get(code);
    if (!issued || issued.used || Date.now() - issued.issuedAt > codeLifetimeMs) return { errcode: 40078, errmsg: "不存在的临时授权码" };
    if (fake.singleUseCodes) issued.used = true;
    return {
      errcode: 0,
      errmsg: "ok",
      result: { userid: issued.userId, device_id: "fake-device", sys: false, sys_level: 2, unionid: `union-${issued.userId}`, name: "" },
      request_id: randomBytes(8).toString("hex"),
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake");
    calls.push(url.pathname);
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.method === "GET" && url.pathname === "/gettoken") {
      if (url.searchParams.get("appkey") !== app.appKey || url.searchParams.get("appsecret") !== app.appSecret) {
        return answer(res, { errcode: 40089, errmsg: "不合法的corpid或corpsecret" });
      }
      const token = randomBytes(16).toString("hex");
      accessTokens.add(token);
      return answer(res, { errcode: 0, errmsg: "ok", access_token: token, expires_in: 7200 });
    }
    if (req.method !== "POST") return res.writeHead(404).end();
    if (!accessTokens.has(url.searchParams.get("access_token") ?? ""))
      return answer(res, { errcode: 40014, errmsg: "不合法的access_token" });
    const input = JSON.parse(body || "{}") as { userid?: string; dept_id?: number };
    if (url.pathname === "/topapi/v2/user/getuserinfo") return answer(res, userInfo(body));
    if (url.pathname === "/topapi/v2/user/get") {
      const user = users.get(String(input.userid));
      return answer(res, user ? { errcode: 0, errmsg: "ok", result: user } : { errcode: 60121, errmsg: "找不到该用户" });
    }
    if (url.pathname === "/topapi/v2/department/get") {
      const dept = departments.get(Number(input.dept_id));
      return answer(res, dept ? { errcode: 0, errmsg: "ok", result: dept } : { errcode: 60003, errmsg: "部门不存在" });
    }
    res.writeHead(404).end();
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const fake: FakeDingTalk = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    users,
    departments,
    calls,
    singleUseCodes: true,
    authCode(userId, { ageMs = 0 } = {}) {
      const code = randomBytes(16).toString("hex");
      codes.set(code, { userId, issuedAt: Date.now() - ageMs, used: false });
      return code;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return fake;
}
