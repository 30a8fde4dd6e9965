/**
 * The local HTTP server: node:http in front of scripts/local/api.ts, which hands each request to
 * the area's Lambda handler as an API Gateway v2 event. Static files of the page under /app/.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { brotliCompressSync, gzipSync, constants as zlibConstants } from "node:zlib";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { dingtalkJsapiOrigin } from "../../functions/sign-in/config.ts";
import { pageSecurityPolicy, withConfig } from "../../lib/page-policy.ts";
import type { RequestLimits } from "../../lib/stage.ts";
import { demoGates, demoLeads, demoOrgUnits, demoPeople } from "../demo-data.ts";
import { dispatch, matchRoute } from "./api.ts";
import type { DevIssuer } from "./dev-issuer.ts";
import { bodyOverQuota, gatewayMaxBodyBytes, integrationFailed, Throttle, tooManyRequests } from "./gateway.ts";

/** Local only, never deployed: `dev.issuer` turns on the demo sign-in routes under /dev/. */
export interface LocalServerOptions {
  dev?: { issuer: DevIssuer };
  /** The built page (scripts/build-web.ts), served under /app/. */
  webRoot?: string;
  /** API Gateway's throttling of a stage (lib/stage.ts): the whole API, and routes that write. */
  throttle?: { api: RequestLimits; writes: RequestLimits };
  /**
   * The page's sign-in as a stage configures it (lib/sign-in.ts: its settings, and the origins its
   * policy lets it connect to); the demo sign-in when absent.
   */
  signIn?: { page: Record<string, string>; connect: string[] };
}

/**
 * The names this server answers to. A page elsewhere on the web can make a browser resolve its
 * own name to 127.0.0.1 (DNS rebinding) and then call this server as if same-origin, /dev/token
 * included; its requests still carry its own name in Host, so any other name is refused.
 */
const loopbackHost = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

export function startLocalServer(port: number, host = "127.0.0.1", options: LocalServerOptions = {}): Promise<Server> {
  const limits = options.throttle;
  const throttle = limits && new Throttle((routeKey) => (routeKey.startsWith("GET ") ? limits.api : limits.writes));
  const server = createServer(async (request, response) => {
    try {
      if (!loopbackHost.test(request.headers.host ?? "")) {
        return problem(
          response,
          421,
          "host-not-allowed",
          "Misdirected request",
          "This local server answers only to localhost, 127.0.0.1 and [::1].",
        );
      }
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      if (path === "/app" || path.startsWith("/app/")) return await servePage(request, response, path, options);
      if (path.startsWith("/dev/") && options.dev) return await serveDev(request, response, path, options.dev.issuer);
      const route = matchRoute(request.method ?? "GET", path);
      if (route && throttle && !throttle.admits(`${route.spec.method} ${route.spec.path}`)) return send(response, tooManyRequests());
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        size += (chunk as Buffer).byteLength;
        if (size > gatewayMaxBodyBytes) return send(response, bodyOverQuota());
        chunks.push(chunk as Buffer);
      }
      send(
        response,
        await dispatch({
          method: request.method ?? "GET",
          url: request.url ?? "/",
          headers: request.headers,
          ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
        }),
      );
    } catch (error) {
      console.error(error);
      send(response, integrationFailed());
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? "");
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  response.end(body);
}

const webRootDefault = join(import.meta.dirname, "..", "..", "web", "dist");

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".map": "application/json; charset=utf-8",
};

/** The same security headers as CloudFront's policy (lib/constructs/web.ts), the API on this origin. */
const pageHeaders = (html: string | undefined, connect: readonly string[]) => ({
  "content-security-policy": pageSecurityPolicy(html ?? "", { connect, script: [dingtalkJsapiOrigin], formAction: [] }),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
});

const sendJson = (response: ServerResponse, status: number, body: unknown, type = "application/json") => {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  response.end(JSON.stringify(body));
};

const problem = (response: ServerResponse, status: number, code: string, title: string, detail: string) =>
  sendJson(response, status, { type: `/problems/${code}`, title, status, code, detail }, "application/problem+json");

/**
 * The page as S3 + CloudFront serve it: index.html with the configuration written in (here, the
 * local API on this very server; in AWS the deployment writes apiUrl, userPoolId, clientId,
 * authDomain) and a CSP naming its inline code by hash; any /app/ path that is not a file gets
 * index.html (the page routes on the client).
 */
async function servePage(request: IncomingMessage, response: ServerResponse, path: string, options: LocalServerOptions) {
  if (request.method !== "GET" && request.method !== "HEAD")
    return problem(response, 405, "method-not-allowed", "Method not allowed", "GET only.");
  if (path === "/app") {
    response.writeHead(301, { location: "/app/" });
    return response.end();
  }
  const root = options.webRoot ?? webRootDefault;
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(path.slice("/app/".length)));
  } catch {
    return problem(response, 400, "bad-path", "Bad request", "The path is not valid.");
  }
  const isFile = extname(relative) !== "";
  if (relative.startsWith("..") || relative.includes(`${sep}..`)) return problem(response, 404, "not-found", "Not found", "No such file.");
  const file = isFile ? join(root, relative) : join(root, "index.html");
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (!isFile) return problem(response, 503, "page-not-built", "Service unavailable", "The page is not built: run npm run build:web.");
    return problem(response, 404, "not-found", "Not found", `No file ${path}.`);
  }
  const html = extname(file) === ".html" ? withConfig(body.toString("utf8"), localConfig(request, options.signIn?.page)) : undefined;
  // The app's code carries a content hash in its name (app-3F2A9C1B.js): cached for ever.
  const hashed = /-[A-Z0-9]{8}\.[a-z]+$/.test(relative);
  const encoded = encode(file, html === undefined ? body : Buffer.from(html), hashed, String(request.headers["accept-encoding"] ?? ""));
  response.writeHead(200, {
    "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    "content-length": String(encoded.body.byteLength),
    ...(encoded.encoding ? { "content-encoding": encoded.encoding } : {}),
    vary: "accept-encoding",
    ...pageHeaders(html, options.signIn?.connect ?? []),
  });
  response.end(request.method === "HEAD" ? undefined : encoded.body);
}

/** The local API is this very server; sign-in is the demo's unless the options name another. */
const localConfig = (request: IncomingMessage, signIn: Record<string, string> | undefined) => ({
  apiUrl: `http://${request.headers.host ?? "127.0.0.1"}`,
  region: "local",
  ...(signIn ?? { devSignIn: true }),
});

const compressible = new Set([".html", ".js", ".css", ".json", ".svg", ".map", ".webmanifest"]);
/** Hashed files never change: each is compressed once, at the highest level. */
const compressedOnce = new Map<string, Buffer>();

/** The body in the best encoding the browser accepts (Brotli, else gzip), as CloudFront compresses. */
function encode(file: string, body: Buffer, hashed: boolean, accepted: string): { body: Buffer; encoding?: "br" | "gzip" } {
  if (!compressible.has(extname(file)) || body.byteLength < 512) return { body };
  const encoding = /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : undefined;
  if (!encoding) return { body };
  const key = `${encoding}:${file}`;
  const cached = hashed ? compressedOnce.get(key) : undefined;
  if (cached) return { body: cached, encoding };
  const compressed =
    encoding === "br"
      ? brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: hashed ? 11 : 5 } })
      : gzipSync(body, { level: hashed ? 9 : 6 });
  if (hashed) compressedOnce.set(key, compressed);
  return { body: compressed, encoding };
}

/** The demo sign-in: the demo people, and a dev-issuer token for one of them with their demo roles. */
async function serveDev(request: IncomingMessage, response: ServerResponse, path: string, issuer: DevIssuer) {
  if (request.method === "GET" && path === "/dev/people") {
    return sendJson(response, 200, {
      orgUnits: demoOrgUnits.map(({ orgUnitId, name, kind, parentId }) => ({
        orgUnitId,
        name,
        kind,
        ...(parentId ? { parentId } : {}),
        ...(demoLeads[orgUnitId] ? { leadId: demoLeads[orgUnitId] } : {}),
      })),
      people: demoPeople.map(({ personId, name, tier, orgUnitId, roles }) => ({ personId, name, tier, orgUnitId, roles })),
      // The API names no gate per tier yet; the page takes the next gate of a person's tier from here.
      gates: Object.entries(demoGates).map(([gateId, gate]) => ({ gateId, tier: gate.tier, name: gate.name })),
    });
  }
  if (request.method === "POST" && path === "/dev/token") {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let personId: unknown;
    try {
      personId = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { personId?: unknown }).personId;
    } catch {
      return problem(response, 400, "invalid", "Bad request", 'Send {"personId": "…"} as JSON.');
    }
    const person = demoPeople.find((p) => p.personId === personId);
    if (!person) return problem(response, 404, "not-found", "Not found", `No demo person "${String(personId)}".`);
    const token = await issuer.sign(person.personId, person.roles);
    return sendJson(response, 200, { token, personId: person.personId, roles: person.roles });
  }
  return problem(response, 404, "not-found", "Not found", `No dev route ${request.method} ${path}.`);
}
