/**
 * Signing in inside the DingTalk client (免登): DingTalk's JSAPI, loaded only there, gives a
 * one-time auth code for the company's CorpId; Laurel's token service exchanges it for a token
 * (POST /auth/dingtalk). Outside DingTalk the script is never loaded.
 */
import { request } from "./api.ts";
import type { PageConfig } from "./auth.ts";

/** DingTalk's own JSAPI build (open.dingtalk.com, H5 微应用). */
const jsapiUrl = "https://g.alicdn.com/dingding/dingtalk-jsapi/3.0.25/dingtalk.open.js";

interface DingTalkJsapi {
  ready(callback: () => void): void;
  runtime: {
    permission: {
      requestAuthCode(options: { corpId: string; onSuccess(result: { code: string }): void; onFail(error: unknown): void }): void;
    };
  };
}

/** Inside the DingTalk client: its web view says so in the user agent. */
export const insideDingTalk = (userAgent = navigator.userAgent): boolean => /DingTalk/i.test(userAgent);

export const signsInWithDingTalk = (config: PageConfig): boolean => config.signIn === "dingtalk" && insideDingTalk();

function loadJsapi(): Promise<DingTalkJsapi> {
  const loaded = (window as { dd?: DingTalkJsapi }).dd;
  if (loaded) return Promise.resolve(loaded);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = jsapiUrl;
    script.onload = () => {
      const dd = (window as { dd?: DingTalkJsapi }).dd;
      if (dd) resolve(dd);
      else reject(new Error("DingTalk's JSAPI did not load."));
    };
    script.onerror = () => reject(new Error("DingTalk's JSAPI could not be loaded."));
    document.head.append(script);
  });
}

async function authCode(corpId: string): Promise<string> {
  const dd = await loadJsapi();
  return new Promise((resolve, reject) =>
    dd.ready(() =>
      dd.runtime.permission.requestAuthCode({
        corpId,
        onSuccess: (result) => resolve(result.code),
        onFail: () => reject(new Error("DingTalk gave no sign-in code.")),
      }),
    ),
  );
}

/** A Laurel token for the person DingTalk has signed in; refusals come as the API's problems. */
export async function signInWithDingTalk(config: PageConfig): Promise<string> {
  const code = await authCode(config.dingtalkCorpId ?? "");
  const { accessToken } = await request<{ accessToken: string }>("/auth/dingtalk", { method: "POST", body: { code } });
  return accessToken;
}
