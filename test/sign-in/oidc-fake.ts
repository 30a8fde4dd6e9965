/**
 * A fake OpenID Connect provider, speaking the protocol a company's issuer speaks (OpenID Connect
 * Discovery 1.0, the authorization code flow of OAuth 2.0 with PKCE, RFC 7636): its discovery
 * document at `/.well-known/openid-configuration`; `GET /authorize` sends the browser back to the
 * client's `redirect_uri` with a code and the client's `state` (the person signed in is the one
 * the test chose with `signInAs`); `POST /token` takes the code once, within a minute, with the
 * same `client_id` and `redirect_uri` and a `code_verifier` whose S256 hash is the challenge, and
 * answers an ID token (ES256, `aud` the client) and an access token; anything else is
 * `invalid_grant`. Its keys are at `/jwks`. Only for tests: never shipped.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { importJWK, SignJWT } from "jose";
import { type KeyRing, newSigningKey, publicJwk } from "../../functions/sign-in/token-keys.ts";

export interface FakeOidc {
  issuer: string;
  clientId: string;
  /** The key ring its tokens are signed with (for a Laurel configured to trust it as the token service's issuer). */
  keys: KeyRing;
  /** Who the next browser sent to /authorize signs in as, and the claims besides `sub`. */
  signInAs(subject: string, claims?: Record<string, unknown>): void;
  /** An ID token for a subject, as /token would answer it. */
  idToken(subject: string, claims?: Record<string, unknown>): Promise<string>;
  calls: string[];
  close(): Promise<void>;
}

const codeLifetimeMs = 60_000;

export async function startFakeOidc(clientId = "laurel-page"): Promise<FakeOidc> {
  const key = await newSigningKey(new Date(Date.now() - 3_600_000));
  const privateKey = await importJWK(key, "ES256");
  let next: { subject: string; claims: Record<string, unknown> } | undefined;
  const codes = new Map<
    string,
    { subject: string; claims: Record<string, unknown>; challenge: string; redirectUri: string; issuedAt: number }
  >();
  const calls: string[] = [];
  let issuer = "";

  const idToken = (subject: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "ES256", kid: key.kid })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime("15m")
      .sign(privateKey);

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", issuer);
    calls.push(`${request.method} ${url.pathname}`);
    const json = (status: number, body: object) => {
      // The page calls from its own origin: CORS as any browser-facing issuer answers.
      response.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
      response.end(JSON.stringify(body));
    };
    if (request.method === "GET" && url.pathname === "/.well-known/openid-configuration")
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        id_token_signing_alg_values_supported: ["ES256"],
      });
    if (request.method === "GET" && url.pathname === "/jwks") return json(200, { keys: [publicJwk(key)] });
    if (request.method === "GET" && url.pathname === "/authorize") {
      const asked = url.searchParams;
      const redirectUri = asked.get("redirect_uri") ?? "";
      const back = new URL(redirectUri);
      if (
        asked.get("client_id") !== clientId ||
        asked.get("response_type") !== "code" ||
        asked.get("code_challenge_method") !== "S256" ||
        !next
      ) {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "The fake issuer refused this request.");
      } else {
        const code = randomBytes(16).toString("base64url");
        codes.set(code, { ...next, challenge: asked.get("code_challenge") ?? "", redirectUri, issuedAt: Date.now() });
        back.searchParams.set("code", code);
      }
      back.searchParams.set("state", asked.get("state") ?? "");
      response.writeHead(302, { location: back.toString() });
      return response.end();
    }
    if (request.method === "OPTIONS") {
      response.writeHead(204, { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type" });
      return response.end();
    }
    if (request.method === "POST" && url.pathname === "/token") {
      let body = "";
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      const code = form.get("code") ?? "";
      const granted = codes.get(code);
      codes.delete(code);
      const verifier = form.get("code_verifier") ?? "";
      const valid =
        granted &&
        Date.now() - granted.issuedAt < codeLifetimeMs &&
        form.get("grant_type") === "authorization_code" &&
        form.get("client_id") === clientId &&
        form.get("redirect_uri") === granted.redirectUri &&
        createHash("sha256").update(verifier).digest("base64url") === granted.challenge;
      if (!valid) return json(400, { error: "invalid_grant" });
      return json(200, {
        token_type: "Bearer",
        expires_in: 900,
        id_token: await idToken(granted.subject, granted.claims),
        access_token: randomBytes(24).toString("base64url"),
      });
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    keys: { keys: [key] },
    signInAs: (subject, claims = {}) => {
      next = { subject, claims };
    },
    idToken,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
