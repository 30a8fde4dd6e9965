/**
 * The DingTalk callback route: verifies and decrypts the event, applies it to the directory, and
 * answers DingTalk's encrypted "success". Its token and AES key are in the DingTalk app's secret
 * (openapi-client.ts), the unit that is DingTalk's root department in DINGTALK_ROOT_UNIT (a stage
 * setting, lib/); without them the route answers 404, as if it were not there.
 */
import type { Directory, DirectoryService } from "../../domain/directory/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId } from "../../domain/kernel/model.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import type { Reply } from "../http/route.ts";
import { DingTalkCallbackCrypto } from "./callback-crypto.ts";
import type { DingTalkApi } from "./openapi-client.ts";
import { type ContactEvent, DingTalkOrgSync } from "./org-sync.ts";

type Deps = { service: DirectoryService; directory: Directory; clock: Clock; api: DingTalkApi; rootUnit: string | undefined };

export function dingTalkCallback(deps: Deps) {
  const notConfigured = () =>
    new DomainError("not-found", "dingtalk-not-configured", "The DingTalk org sync is not configured on this stage.");
  const sync = deps.rootUnit ? new DingTalkOrgSync({ ...deps, rootUnit: deps.rootUnit as OrgUnitId }) : undefined;
  // The secret is read again when it changes (cached-secret.ts), so the crypto follows it.
  const cryptoOf = async () => {
    const app = await deps.api.app();
    if (!sync || !app?.callbackToken || !app.aesKey) throw notConfigured();
    return new DingTalkCallbackCrypto({ token: app.callbackToken, encodingAesKey: app.aesKey, ownerKey: app.ownerKey ?? app.appKey });
  };

  return async ({ query, rawBody }: { query: Record<string, string>; rawBody: Buffer }): Promise<Reply> => {
    const crypto = await cryptoOf();
    const signature = query.msg_signature ?? query.signature ?? "";
    const timestamp = query.timestamp ?? query.timeStamp ?? "";
    const nonce = query.nonce ?? "";
    const event = JSON.parse(crypto.decrypt(signature, timestamp, nonce, encryptedOf(rawBody))) as ContactEvent;
    await (sync as DingTalkOrgSync).apply(event);
    return { body: crypto.encrypt("success", timestamp, nonce) };
  };
}

function encryptedOf(raw: Buffer): string {
  try {
    const { encrypt } = JSON.parse(raw.toString("utf8")) as { encrypt?: unknown };
    if (typeof encrypt === "string") return encrypt;
  } catch {}
  throw new DomainError("invalid", "dingtalk-malformed", 'A DingTalk callback body is {"encrypt": "…"}.');
}
