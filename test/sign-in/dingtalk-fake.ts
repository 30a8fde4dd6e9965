/**
 * A fake DingTalk server API for an enterprise internal app, speaking the documented protocol
 * (open.dingtalk.com, 服务端 API): `GET /gettoken?appkey=&appsecret=` answers an access token
 * good for 7,200 s, or errcode 40089 for a wrong key or secret; `POST
 * /topapi/v2/user/getuserinfo?access_token=` with `{"code"}` answers `result.userid` for a 免登
 * auth code, errcode 40014 for an unknown access token, 40078 for an unknown, expired (older than
 * 5 minutes) or used code. Only for tests: never shipped.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeDingTalk {
  url: string;
  app: { appKey: string; appSecret: string };
  /** A 免登 auth code for the user, as dd.getAuthCode gives the page; `ageMs` makes an old one. */
  authCode(userId: string, options?: { ageMs?: number }): string;
  /** What the fake was asked, by path. */
  calls: string[];
  /** DingTalk's codes are good once; false makes the fake accept a code again (to test Laurel's own guard). */
  singleUseCodes: boolean;
  close(): Promise<void>;
}

const codeLifetimeMs = 5 * 60 * 1000;

export async function startFakeDingTalk(): Promise<FakeDingTalk> {
  const app = { appKey: "dingfake0001", appSecret: randomBytes(24).toString("base64url") };
  const accessTokens = new Set<string>();
  const codes = new Map<string, { userId: string; issuedAt: number; used: boolean }>();
  const calls: string[] = [];
  const answer = (res: ServerResponse, body: object) => {
    res.writeHead(200, { "content-type": "application/json;charset=utf-8" });
    res.end(JSON.stringify(body));
  };

  const userInfo = (body: string, accessToken: string | null) => {
    if (!accessToken || !accessTokens.has(accessToken)) return { errcode: 40014, errmsg: "不合法的access_token" };
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
    if (req.method === "POST" && url.pathname === "/topapi/v2/user/getuserinfo") {
      return answer(res, userInfo(body, url.searchParams.get("access_token")));
    }
    res.writeHead(404).end();
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const fake: FakeDingTalk = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
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
