/**
 * A fake of DingTalk's server API as documented: GET /gettoken?appkey&appsecret, then
 * POST /topapi/v2/user/get and /topapi/v2/department/get with ?access_token=, answering
 * {errcode, errmsg, result}; 60121 for an unknown user, 60003 for an unknown department,
 * 40014 for a bad token.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DingTalkDepartment, DingTalkUser } from "../../functions/dingtalk/openapi-client.ts";

export interface FakeDingTalk {
  baseUrl: string;
  users: Map<string, DingTalkUser>;
  departments: Map<number, DingTalkDepartment>;
  close(): void;
}

export async function startFakeDingTalk(app: { appKey: string; appSecret: string }): Promise<FakeDingTalk> {
  const users = new Map<string, DingTalkUser>();
  const departments = new Map<number, DingTalkDepartment>();
  const token = "fake-access-token";
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    let body = "";
    for await (const chunk of request) body += chunk;
    const answer = (value: Record<string, unknown>) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (url.pathname === "/gettoken") {
      const ok = url.searchParams.get("appkey") === app.appKey && url.searchParams.get("appsecret") === app.appSecret;
      return answer(
        ok ? { errcode: 0, errmsg: "ok", access_token: token, expires_in: 7200 } : { errcode: 40089, errmsg: "不合法的corpid或corpsecret" },
      );
    }
    if (url.searchParams.get("access_token") !== token) return answer({ errcode: 40014, errmsg: "不合法的access_token" });
    const input = JSON.parse(body || "{}") as { userid?: string; dept_id?: number };
    if (url.pathname === "/topapi/v2/user/get") {
      const user = users.get(String(input.userid));
      return answer(user ? { errcode: 0, errmsg: "ok", result: user } : { errcode: 60121, errmsg: "找不到该用户" });
    }
    if (url.pathname === "/topapi/v2/department/get") {
      const dept = departments.get(Number(input.dept_id));
      return answer(dept ? { errcode: 0, errmsg: "ok", result: dept } : { errcode: 60003, errmsg: "部门不存在" });
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, users, departments, close: () => server.close() };
}
