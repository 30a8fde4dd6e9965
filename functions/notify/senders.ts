/**
 * The outside services in their documented protocols, over fetch with a timeout (a slow receiver
 * is a failed try, retried later):
 * - webhooks: a CloudEvent (structured mode) signed with Standard Webhooks, as Laurel verifies
 *   inbound (domain/awards/webhook-signature.ts): `webhook-id`, `webhook-timestamp`, `webhook-signature`;
 * - DingTalk group robots (自定义机器人): `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256
 *   over "timestamp\nsecret" keyed by the secret)) added to the webhook URL; an answer's `errcode` must be 0;
 * - WeCom group robots (群机器人): the URL's `key` is the credential, `errcode` 0;
 * - DingTalk work notifications (工作通知): an access token from `gettoken` (app key and secret,
 *   kept until shortly before it expires), then `topapi/message/corpconversation/asyncsend_v2`.
 */
import { createHmac } from "node:crypto";
import { sign } from "../../domain/awards/index.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import type { Channel, Message, Senders, Target } from "../../domain/notifications/index.ts";

// A receiver slower than this is a failed try; NOTIFY_TIMEOUT_MS shortens it in tests.
const timeoutMs = Number(process.env.NOTIFY_TIMEOUT_MS ?? 5_000);

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** DingTalk and WeCom answer 200 with an `errcode`; anything but 0 is a failure. */
function expectOk(answer: unknown, service: string): void {
  const { errcode, errmsg } = (answer ?? {}) as { errcode?: number; errmsg?: string };
  if (errcode !== 0) throw new Error(`${service} refused: ${errcode ?? "no errcode"} ${errmsg ?? ""}`.trim());
}

/** The `sign` DingTalk asks of a robot with 加签 on: base64 of HMAC-SHA256 keyed by the secret over "timestamp\nsecret". */
export const dingTalkRobotSign = (secret: string, timestampMs: number) =>
  createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");

export interface DingTalkApp {
  api: string;
  agentId: string;
  appKey: string;
  appSecret: string;
}

export function createSenders(clock: Clock, app: () => Promise<DingTalkApp | undefined>): Senders {
  let token: { value: string; expires: number } | undefined;
  const accessToken = async (config: DingTalkApp) => {
    if (token && token.expires > clock.now().getTime()) return token.value;
    const query = new URLSearchParams({ appkey: config.appKey, appsecret: config.appSecret });
    const response = await fetch(`${config.api}/gettoken?${query}`, { signal: AbortSignal.timeout(timeoutMs) });
    const answer = (await response.json()) as { errcode?: number; access_token?: string; expires_in?: number };
    expectOk(answer, "DingTalk gettoken");
    // Kept until five minutes before it expires (7,200 s as documented).
    token = { value: answer.access_token as string, expires: clock.now().getTime() + ((answer.expires_in ?? 7200) - 300) * 1000 };
    return token.value;
  };

  return {
    async webhook(target: Target, deliveryId: string, body: string) {
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      await post(target.url, body, {
        "content-type": "application/cloudevents+json",
        "webhook-id": deliveryId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": sign(target.secret ?? "", deliveryId, timestamp, body),
      });
    },
    async robot(channel: Channel, target: Target, text: string) {
      const body = JSON.stringify({ msgtype: "text", text: { content: text } });
      if (channel.kind === "wecom-robot") return expectOk(await post(target.url, body), "WeCom robot");
      const url = new URL(target.url);
      if (target.secret) {
        const timestamp = clock.now().getTime();
        url.searchParams.set("timestamp", String(timestamp));
        url.searchParams.set("sign", dingTalkRobotSign(target.secret, timestamp));
      }
      expectOk(await post(url.toString(), body), "DingTalk robot");
    },
    async workNotice(userId: string, message: Message) {
      const config = await app();
      if (!config) throw new Error("DingTalk work notifications are not configured");
      const url = `${config.api}/topapi/message/corpconversation/asyncsend_v2?access_token=${encodeURIComponent(await accessToken(config))}`;
      const msg = { msgtype: "markdown", markdown: { title: message.title, text: `### ${message.title}\n\n${message.text}` } };
      expectOk(
        await post(url, JSON.stringify({ agent_id: Number(config.agentId), userid_list: userId, msg })),
        "DingTalk work notification",
      );
    },
  };
}
