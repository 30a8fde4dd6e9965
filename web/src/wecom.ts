/**
 * Signing in inside WeCom (企业微信): WeCom's web authorisation (网页授权, snsapi_base) sends the
 * page back to itself with a one-time code, which Laurel's token service exchanges for a token
 * (POST /auth/wecom). No script of WeCom's is loaded: the sign-in is two redirects.
 */
import { request } from "./api.ts";
import type { PageConfig } from "./auth.ts";

const stateKey = "laurel.wecom-state";

/** Inside the WeCom client: its web view says so in the user agent. */
export const insideWeCom = (userAgent = navigator.userAgent): boolean => /wxwork/i.test(userAgent);

export const signsInWithWeCom = (config: PageConfig): boolean => Boolean(config.wecomCorpId) && insideWeCom();

/** To WeCom's authorisation, which comes back to the page with ?code=&state=. */
export function startWeComSignIn(config: PageConfig): void {
  const state = crypto.randomUUID();
  sessionStorage.setItem(stateKey, state);
  const params = new URLSearchParams({
    appid: config.wecomCorpId ?? "",
    redirect_uri: `${location.origin}${location.pathname}`,
    response_type: "code",
    scope: "snsapi_base",
    state,
    agentid: config.wecomAgentId ?? "",
  });
  location.assign(`https://open.weixin.qq.com/connect/oauth2/authorize?${params}#wechat_redirect`);
}

/** Back from WeCom with a code for this page's request: a Laurel token; undefined when this load is not that. */
export async function completeWeComSignIn(): Promise<string | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get("code");
  const expected = sessionStorage.getItem(stateKey);
  if (!expected) return undefined;
  sessionStorage.removeItem(stateKey);
  // The code and WeCom's own fragment (#wechat_redirect, which a redirect keeps) leave the address.
  history.replaceState(null, "", `${location.pathname}${location.hash === "#wechat_redirect" ? "" : location.hash}`);
  // Back without a code: asking again would only loop.
  if (!code) throw new Error("WeCom gave no sign-in code; open the page again.");
  if (query.get("state") !== expected) throw new Error("The sign-in answer does not match this page's request; open the page again.");
  const { accessToken } = await request<{ accessToken: string }>("/auth/wecom", { method: "POST", body: { code } });
  return accessToken;
}
