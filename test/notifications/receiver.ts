/**
 * A local stand-in for everyone Laurel notifies, speaking their documented protocols and checking
 * every signature: business systems' webhooks (Standard Webhooks), DingTalk's API (gettoken and
 * asyncsend_v2 work notifications), DingTalk group robots (加签: timestamp and sign within an
 * hour) and WeCom group robots (the key in the URL). It can fail a share of requests with a 500
 * and let others time out, from a seeded random source, to show that nothing is lost.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifySignature } from "../../domain/awards/index.ts";
import { prng } from "../support/faults.ts";

export interface Received {
  channel: "webhook" | "work-notice" | "dingtalk-robot" | "wecom-robot";
  /** The webhook-id of a webhook delivery. */
  id?: string;
  body: any;
  at: number;
}

export interface Faults {
  /** Share of requests answered with a 500 (before the work is done). */
  fail: number;
  /** Share of requests handled but never answered in time: the sender tries again, the same webhook-id. */
  hang: number;
  /** The seed of the random source that picks them. */
  seed: number;
  /** Requests answered with a 500 before any other is looked at: retries are certain. */
  failFirst?: number;
}

export const robotSecret = "SECdingtalk-robot-secret-for-tests";
export const webhookSecret = `whsec_${Buffer.from("a subscriber's signing secret, 32 bytes!").toString("base64")}`;
export const dingTalkApp = { appKey: "ding-app-key", appSecret: "ding-app-secret" };
const accessToken = "local-access-token";

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `now`: the clock the senders sign by (a test may let a day of backoff pass at once). */
export async function startReceiver(now: () => number = Date.now) {
  const received: Received[] = [];
  /** Requests refused for a bad signature or token: must stay empty. */
  const refused: string[] = [];
  const robotMinutes = new Map<string, number>();
  let faults: Faults = { fail: 0, hang: 0, seed: 1 };
  let next = prng(1);
  let attempts = 0;

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const raw = await bodyOf(request);
    if (url.pathname === "/gettoken") {
      const ok = url.searchParams.get("appkey") === dingTalkApp.appKey && url.searchParams.get("appsecret") === dingTalkApp.appSecret;
      if (!ok) refused.push("gettoken with a wrong app key or secret");
      return json(
        response,
        200,
        ok ? { errcode: 0, errmsg: "ok", access_token: accessToken, expires_in: 7200 } : { errcode: 40089, errmsg: "invalid appkey" },
      );
    }
    attempts += 1;
    const roll = next();
    if (attempts <= (faults.failFirst ?? 0) || roll < faults.fail) return json(response, 500, { message: "receiver down" });
    // Handled, but the answer never comes in time: the sender's timeout ends the request.
    const late = roll < faults.fail + faults.hang;
    const answer = (status: number, body: unknown) => (late ? undefined : json(response, status, body));
    const at = now();
    if (url.pathname.startsWith("/hooks/")) {
      try {
        // Laurel's own inbound check, which the webhook tests hold to the official library's signatures.
        const header = (name: string) => request.headers[name] as string | undefined;
        verifySignature(
          { id: header("webhook-id"), timestamp: header("webhook-timestamp"), signature: header("webhook-signature") },
          raw,
          [webhookSecret],
          new Date(now()),
        );
      } catch (error) {
        refused.push(`webhook: ${(error as Error).message}`);
        return answer(401, { message: "bad signature" });
      }
      received.push({ channel: "webhook", id: request.headers["webhook-id"] as string, body: JSON.parse(raw.toString("utf8")), at });
      return answer(200, { ok: true });
    }
    if (url.pathname === "/topapi/message/corpconversation/asyncsend_v2") {
      if (url.searchParams.get("access_token") !== accessToken) {
        refused.push("work notification with a wrong access token");
        return answer(200, { errcode: 88, errmsg: "invalid access_token" });
      }
      received.push({ channel: "work-notice", body: JSON.parse(raw.toString("utf8")), at });
      return answer(200, { errcode: 0, errmsg: "ok", task_id: received.length, request_id: "r" });
    }
    if (url.pathname === "/robot/send") {
      const timestamp = Number(url.searchParams.get("timestamp"));
      const expected = createHmac("sha256", robotSecret).update(`${timestamp}\n${robotSecret}`).digest("base64");
      if (url.searchParams.get("sign") !== expected || Math.abs(at - timestamp) > 3_600_000) {
        refused.push("DingTalk robot: sign or timestamp wrong");
        return answer(200, { errcode: 310000, errmsg: "sign not match" });
      }
      const minute = `${url.searchParams.get("access_token")}#${Math.floor(timestamp / 60_000)}`;
      robotMinutes.set(minute, (robotMinutes.get(minute) ?? 0) + 1);
      received.push({ channel: "dingtalk-robot", body: JSON.parse(raw.toString("utf8")), at });
      return answer(200, { errcode: 0, errmsg: "ok" });
    }
    if (url.pathname === "/cgi-bin/webhook/send") {
      if (!url.searchParams.get("key")) return answer(200, { errcode: 93000, errmsg: "invalid webhook url" });
      received.push({ channel: "wecom-robot", body: JSON.parse(raw.toString("utf8")), at });
      return answer(200, { errcode: 0, errmsg: "ok" });
    }
    return answer(404, { message: "no such endpoint" });
  };

  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((request, response) => void handle(request, response));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    refused,
    /** The most messages one robot took in one minute. */
    busiestRobotMinute: () => Math.max(0, ...robotMinutes.values()),
    attempts: () => attempts,
    setFaults(value: Faults) {
      faults = value;
      attempts = 0;
      next = prng(value.seed);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
