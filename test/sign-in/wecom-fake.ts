/**
 * A fake WeCom server API for a company's self-built app, speaking the documented protocol
 * (developer.work.weixin.qq.com, 服务端 API): `GET /cgi-bin/gettoken?corpid=&corpsecret=` answers
 * an access token good for 7,200 s, or errcode 40001 for a wrong secret (40013 for a wrong corp
 * id); `GET /cgi-bin/auth/getuserinfo?access_token=&code=` answers `userid` for a member's web
 * authorisation code, `openid` for someone outside the company, errcode 40014 for an unknown
 * access token and 40029 for an unknown, expired (older than 5 minutes) or used code. Only for
 * tests: never shipped.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeWeCom {
  url: string;
  app: { corpId: string; corpSecret: string };
  /** A web authorisation code, as WeCom adds to the page's address; `member: false` for an outsider. */
  code(userId: string, options?: { ageMs?: number; member?: boolean }): string;
  calls: string[];
  close(): Promise<void>;
}

const codeLifetimeMs = 5 * 60 * 1000;

export async function startFakeWeCom(): Promise<FakeWeCom> {
  const app = { corpId: "wwfakecorp0001", corpSecret: randomBytes(24).toString("base64url") };
  const tokens = new Set<string>();
  const codes = new Map<string, { userId: string; issuedAt: number; member: boolean; used: boolean }>();
  const calls: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    calls.push(url.pathname);
    const answer = (body: object) => {
      response.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
      response.end(JSON.stringify(body));
    };
    const query = url.searchParams;
    if (request.method === "GET" && url.pathname === "/cgi-bin/gettoken") {
      if (query.get("corpid") !== app.corpId) return answer({ errcode: 40013, errmsg: "invalid corpid" });
      if (query.get("corpsecret") !== app.corpSecret) return answer({ errcode: 40001, errmsg: "invalid credential" });
      const token = randomBytes(16).toString("hex");
      tokens.add(token);
      return answer({ errcode: 0, errmsg: "ok", access_token: token, expires_in: 7200 });
    }
    if (request.method === "GET" && url.pathname === "/cgi-bin/auth/getuserinfo") {
      if (!tokens.has(query.get("access_token") ?? "")) return answer({ errcode: 40014, errmsg: "invalid access_token" });
      const issued = codes.get(query.get("code") ?? "");
      if (!issued || issued.used || Date.now() - issued.issuedAt > codeLifetimeMs)
        return answer({ errcode: 40029, errmsg: "invalid code" });
      issued.used = true;
      return answer(
        issued.member
          ? { errcode: 0, errmsg: "ok", userid: issued.userId, user_ticket: randomBytes(8).toString("hex") }
          : { errcode: 0, errmsg: "ok", openid: `o-${issued.userId}`, external_userid: `wm-${issued.userId}` },
      );
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    calls,
    code(userId, { ageMs = 0, member = true } = {}) {
      const code = randomBytes(16).toString("hex");
      codes.set(code, { userId, issuedAt: Date.now() - ageMs, member, used: false });
      return code;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
