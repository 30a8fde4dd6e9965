/**
 * Sign-in. Locally: the demo sign-in (POST /dev/token on the local server). In AWS: Cognito's
 * hosted sign-in, OAuth 2.0 authorization code flow with PKCE (S256), or, where the stage runs
 * Laurel's token service, DingTalk's 免登 (dingtalk.ts), configured by /app/config.json. The access token is kept in sessionStorage (gone when the tab closes); the
 * page only decodes it to know who is signed in, the API verifies it.
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
  dingtalkCorpId?: string;
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

/**
 * The person id is `sub` in the dev issuer's and the token service's tokens and `username` in
 * Cognito's access tokens; roles are `cognito:groups`, or `roles` in the token service's.
 */
export function sessionOf(token: string, config: PageConfig): Session | undefined {
  const claims = decodeJwt(token);
  if (!claims) return undefined;
  const id = config.devSignIn ? claims.sub : (claims.username ?? claims["cognito:username"] ?? claims.sub);
  if (typeof id !== "string" || !id) return undefined;
  const groups = claims.roles ?? claims["cognito:groups"];
  return {
    token,
    personId: id,
    roles: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [],
    expiresAt: typeof claims.exp === "number" ? claims.exp : undefined,
  };
}

export const isExpired = (session: Session, now = Date.now()) => session.expiresAt !== undefined && session.expiresAt * 1000 <= now;

export function savedSession(config: PageConfig): Session | undefined {
  const token = storage()?.getItem(tokenKey);
  return token ? sessionOf(token, config) : undefined;
}

export function keepToken(token: string): void {
  storage()?.setItem(tokenKey, token);
}

export function forgetToken(): void {
  storage()?.removeItem(tokenKey);
}

// ---- Cognito hosted sign-in (authorization code + PKCE) ----

/** Where Cognito sends the browser back to: the page itself, as registered in callbackUrls. */
const redirectUri = () => `${location.origin}/app/`;

const domainOf = (config: PageConfig) => {
  const domain = (config.authDomain ?? "").replace(/\/+$/, "");
  return domain.startsWith("https://") ? domain : `https://${domain}`;
};

export async function startCognitoSignIn(config: PageConfig): Promise<void> {
  if (!config.authDomain || !config.clientId) throw new Error("config.json has no authDomain or clientId");
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  storage()?.setItem(pkceKey, JSON.stringify({ verifier, state }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: "openid profile email",
    state,
    code_challenge_method: "S256",
    code_challenge: challenge,
  });
  location.assign(`${domainOf(config)}/oauth2/authorize?${params}`);
}

/**
 * Back from the hosted sign-in with ?code=&state=: checks the state, exchanges the code and the
 * verifier for tokens, keeps the access token and removes the code from the address bar.
 * Returns undefined when this load is not a sign-in callback.
 */
export async function completeCognitoSignIn(config: PageConfig): Promise<Session | undefined> {
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
  const response = await fetch(`${domainOf(config)}/oauth2/token`, {
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
  const tokens = (await response.json()) as { access_token?: string };
  const session = tokens.access_token ? sessionOf(tokens.access_token, config) : undefined;
  if (!session) throw new Error("The sign-in gave no usable access token.");
  keepToken(session.token);
  return session;
}

/** Signs out of the page and, with Cognito, of the hosted sign-in too. */
export function signOut(config: PageConfig): void {
  forgetToken();
  if (!config.devSignIn && config.authDomain && config.clientId) {
    const params = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
    location.assign(`${domainOf(config)}/logout?${params}`);
  }
}
