/**
 * Sign-in. Locally: the demo sign-in (POST /dev/token on the local server). In AWS: Cognito's
 * hosted sign-in or a company OIDC issuer's (OAuth 2.0 authorization code flow with PKCE, S256),
 * or, where the stage runs Laurel's token service, DingTalk's or WeCom's 免登 (dingtalk.ts,
 * wecom.ts), as the page's configuration says. The token is kept in sessionStorage (gone when the
 * tab closes); the page only decodes it to know who is signed in, the API verifies it.
 */

export interface PageConfig {
  apiUrl: string;
  region?: string;
  userPoolId?: string;
  clientId?: string;
  authDomain?: string;
  devSignIn?: boolean;
  /** Who signs people in (lib/sign-in.ts); Cognito when absent. */
  signIn?: "cognito" | "oidc" | "dingtalk";
  /** The company's OIDC issuer (signIn "oidc"): its discovery document names where to sign in. */
  issuer?: string;
  dingtalkCorpId?: string;
  /** Where the company is on WeCom too: its CorpId and the AgentId of the app that opens the page. */
  wecomCorpId?: string;
  wecomAgentId?: string;
}

export interface Session {
  token: string;
  personId: string;
  roles: string[];
  /** Seconds since the epoch. */
  expiresAt: number | undefined;
}

const tokenKey = "laurel.token";
const pkceKey = "laurel.pkce";
const whoKey = "laurel.who";

function storage(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined;
  }
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** The payload of a JWT, not verified (the API verifies every token it is given). */
export function decodeJwt(token: string): Record<string, unknown> | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const binary = atob(
      part
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(part.length / 4) * 4, "="),
    );
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Who a token signs in, as the API's `GET /me` answers it: an OIDC issuer's token need not name the person. */
export interface Who {
  personId: string;
  roles: string[];
}

/**
 * The person id is `sub` in the dev issuer's and the token service's tokens and `username` in
 * Cognito's access tokens; roles are `cognito:groups`, or `roles` in the token service's. A
 * company's OIDC issuer names its own subject, which the directory maps to a person: there the
 * session takes who the API said the token signs in.
 */
export function sessionOf(token: string, config: PageConfig, who?: Who): Session | undefined {
  const claims = decodeJwt(token);
  if (!claims) return undefined;
  const expiresAt = typeof claims.exp === "number" ? claims.exp : undefined;
  if (config.signIn === "oidc" && !config.devSignIn) return who ? { token, ...who, expiresAt } : undefined;
  const id = config.devSignIn ? claims.sub : (claims.username ?? claims["cognito:username"] ?? claims.sub);
  if (typeof id !== "string" || !id) return undefined;
  const groups = claims.roles ?? claims["cognito:groups"];
  return {
    token,
    personId: id,
    roles: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [],
    expiresAt,
  };
}

export const isExpired = (session: Session, now = Date.now()) => session.expiresAt !== undefined && session.expiresAt * 1000 <= now;

export function savedSession(config: PageConfig): Session | undefined {
  const token = storage()?.getItem(tokenKey);
  const who = storage()?.getItem(whoKey);
  return token ? sessionOf(token, config, who ? (JSON.parse(who) as Who) : undefined) : undefined;
}

export function keepToken(token: string, who?: Who): void {
  storage()?.setItem(tokenKey, token);
  if (who) storage()?.setItem(whoKey, JSON.stringify(who));
}

export function forgetToken(): void {
  storage()?.removeItem(tokenKey);
  storage()?.removeItem(whoKey);
}

/** The API's answer to who a fresh token signs in (asked once per sign-in, where the token cannot say). */
export async function whoAmI(token: string, config: PageConfig): Promise<Who | undefined> {
  if (config.signIn !== "oidc" || config.devSignIn) return undefined;
  const response = await fetch(`${config.apiUrl.replace(/\/+$/, "")}/me`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json().catch(() => undefined)) as (Who & { detail?: string }) | undefined;
  if (!response.ok || !body?.personId) throw new Error(body?.detail ?? `The sign-in was refused (${response.status}).`);
  return { personId: body.personId, roles: body.roles };
}

// ---- Hosted sign-in: Cognito's or any OIDC issuer's (authorization code + PKCE) ----

/** Where the issuer sends the browser back to: the page itself, as registered with it. */
const redirectUri = () => `${location.origin}/app/`;

interface AuthorizationServer {
  authorize: string;
  token: string;
  logout?: string;
}

const cognitoDomain = (config: PageConfig) => {
  const domain = (config.authDomain ?? "").replace(/\/+$/, "");
  return domain.startsWith("https://") ? domain : `https://${domain}`;
};

/** Cognito's endpoints follow from its domain; an OIDC issuer names its own in its discovery document. */
async function authorizationServer(config: PageConfig): Promise<AuthorizationServer> {
  if (!config.clientId) throw new Error("config.json has no clientId");
  if (config.signIn !== "oidc") {
    if (!config.authDomain) throw new Error("config.json has no authDomain");
    const domain = cognitoDomain(config);
    return { authorize: `${domain}/oauth2/authorize`, token: `${domain}/oauth2/token`, logout: `${domain}/logout` };
  }
  if (!config.issuer) throw new Error("config.json has no issuer");
  const response = await fetch(`${config.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`The company sign-in is not reachable (${response.status}).`);
  const discovery = (await response.json()) as { authorization_endpoint?: string; token_endpoint?: string; end_session_endpoint?: string };
  if (!discovery.authorization_endpoint || !discovery.token_endpoint)
    throw new Error("The company sign-in names no authorization or token endpoint.");
  return {
    authorize: discovery.authorization_endpoint,
    token: discovery.token_endpoint,
    ...(discovery.end_session_endpoint ? { logout: discovery.end_session_endpoint } : {}),
  };
}

export async function startHostedSignIn(config: PageConfig): Promise<void> {
  const server = await authorizationServer(config);
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  storage()?.setItem(pkceKey, JSON.stringify({ verifier, state }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId ?? "",
    redirect_uri: redirectUri(),
    scope: "openid profile email",
    state,
    code_challenge_method: "S256",
    code_challenge: challenge,
  });
  location.assign(`${server.authorize}?${params}`);
}

/**
 * Back from the hosted sign-in with ?code=&state=: checks the state, exchanges the code and the
 * verifier for tokens and removes the code from the address bar. Returns the token the API
 * takes (Cognito's access token; an OIDC issuer's ID token, whose audience is the page's client,
 * which is what the stage's JWT authorizer trusts), or undefined when this load is not a callback.
 */
export async function completeHostedSignIn(config: PageConfig): Promise<string | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get("code");
  const error = query.get("error");
  if (!code && !error) return undefined;
  history.replaceState(null, "", `${location.pathname}${location.hash}`);
  const saved = storage()?.getItem(pkceKey);
  storage()?.removeItem(pkceKey);
  if (error) throw new Error(query.get("error_description") ?? error);
  const pkce = saved ? (JSON.parse(saved) as { verifier: string; state: string }) : undefined;
  if (!pkce || pkce.state !== query.get("state")) throw new Error("The sign-in answer does not match this page's request; sign in again.");
  const response = await fetch((await authorizationServer(config)).token, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId ?? "",
      code: code ?? "",
      redirect_uri: redirectUri(),
      code_verifier: pkce.verifier,
    }),
  });
  if (!response.ok) throw new Error(`The sign-in could not be completed (${response.status}); sign in again.`);
  const tokens = (await response.json()) as { access_token?: string; id_token?: string };
  const token = config.signIn === "oidc" ? tokens.id_token : tokens.access_token;
  if (!token) throw new Error("The sign-in gave no usable token.");
  return token;
}

/** Signs out of the page and of the hosted sign-in too. */
export async function signOut(config: PageConfig): Promise<void> {
  const token = storage()?.getItem(tokenKey);
  forgetToken();
  if (config.devSignIn || !config.clientId || !(config.authDomain || config.issuer)) return;
  const server = await authorizationServer(config).catch(() => undefined);
  if (!server?.logout) return;
  const params =
    config.signIn === "oidc"
      ? new URLSearchParams({
          client_id: config.clientId,
          post_logout_redirect_uri: redirectUri(),
          ...(token ? { id_token_hint: token } : {}),
        })
      : new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
  location.assign(`${server.logout}?${params}`);
}
