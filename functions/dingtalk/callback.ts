/**
 * The DingTalk callback route: verifies and decrypts the event, applies it to the directory, and
 * answers DingTalk's encrypted "success". Configured from the environment (DINGTALK_*); without
 * it the route answers 404, as if it were not there.
 */
import type { Directory, DirectoryService } from "../../domain/directory/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId } from "../../domain/kernel/model.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import type { Reply } from "../http/route.ts";
import { DingTalkCallbackCrypto } from "./callback-crypto.ts";
import { DingTalkApi } from "./openapi-client.ts";
import { type ContactEvent, DingTalkOrgSync } from "./org-sync.ts";

export interface DingTalkEnv {
  DINGTALK_CALLBACK_TOKEN?: string;
  DINGTALK_AES_KEY?: string;
  /** The corpId (or app key) DingTalk encrypts callbacks for. */
  DINGTALK_OWNER_KEY?: string;
  DINGTALK_APP_KEY?: string;
  DINGTALK_APP_SECRET?: string;
  DINGTALK_API_BASE_URL?: string;
  DINGTALK_ROOT_UNIT?: string;
}

type Deps = { service: DirectoryService; directory: Directory; clock: Clock };

export function dingTalkCallback(env: DingTalkEnv, deps: Deps) {
  let wired: { crypto: DingTalkCallbackCrypto; sync: DingTalkOrgSync } | undefined;
  const wire = () => {
    const { DINGTALK_CALLBACK_TOKEN: token, DINGTALK_AES_KEY: encodingAesKey, DINGTALK_OWNER_KEY: ownerKey } = env;
    if (!token || !encodingAesKey || !ownerKey || !env.DINGTALK_APP_KEY || !env.DINGTALK_APP_SECRET || !env.DINGTALK_ROOT_UNIT) {
      throw new DomainError("not-found", "dingtalk-not-configured", "The DingTalk org sync is not configured on this stage.");
    }
    const api = new DingTalkApi({
      baseUrl: env.DINGTALK_API_BASE_URL ?? "https://oapi.dingtalk.com",
      appKey: env.DINGTALK_APP_KEY,
      appSecret: env.DINGTALK_APP_SECRET,
    });
    return {
      crypto: new DingTalkCallbackCrypto({ token, encodingAesKey, ownerKey }),
      sync: new DingTalkOrgSync({ ...deps, api, rootUnit: env.DINGTALK_ROOT_UNIT as OrgUnitId }),
    };
  };

  return async ({ query, rawBody }: { query: Record<string, string>; rawBody: Buffer }): Promise<Reply> => {
    wired ??= wire();
    const signature = query.msg_signature ?? query.signature ?? "";
    const timestamp = query.timestamp ?? query.timeStamp ?? "";
    const nonce = query.nonce ?? "";
    const encrypt = encryptedOf(rawBody);
    const event = JSON.parse(wired.crypto.decrypt(signature, timestamp, nonce, encrypt)) as ContactEvent;
    await wired.sync.apply(event);
    return { body: wired.crypto.encrypt("success", timestamp, nonce) };
  };
}

function encryptedOf(raw: Buffer): string {
  try {
    const { encrypt } = JSON.parse(raw.toString("utf8")) as { encrypt?: unknown };
    if (typeof encrypt === "string") return encrypt;
  } catch {}
  throw new DomainError("invalid", "dingtalk-malformed", 'A DingTalk callback body is {"encrypt": "…"}.');
}
