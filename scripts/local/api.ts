/**
 * API Gateway (HTTP API, payload 2.0) on a laptop: builds the event API Gateway would send for a
 * request, finds the route's area and calls that area's Lambda handler, the very code that runs
 * in AWS (or its esbuild bundle: scripts/local/lambda.ts). The local server and the tests both
 * go through here.
 */
import { randomUUID } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { Area, RouteSpec } from "../../functions/http/route.ts";
import { routes } from "../../functions/http/routes.ts";
import { authorizerRefusal, eventTooLarge, integrationFailed, lambdaMaxEventBytes } from "./gateway.ts";
import { lambdaContext, loadHandler } from "./lambda.ts";

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const compiled = (Object.values(routes) as RouteSpec[]).map((spec) => ({
  spec,
  pattern: new RegExp(`^${spec.path.replace(/\{([^/}]+)\}/g, "(?<$1>[^/]+)")}/?$`),
}));

export function matchRoute(method: string, path: string): { spec: RouteSpec; params: Record<string, string> } | undefined {
  for (const { spec, pattern } of compiled) {
    const match = spec.method === method ? pattern.exec(path) : null;
    if (match) return { spec, params: { ...match.groups } };
  }
  return undefined;
}

export interface LocalRequest {
  method: string;
  /** Path and query string, as on the wire. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
}

export function buildEvent(request: LocalRequest, routeKey: string, params: Record<string, string> | undefined): APIGatewayProxyEventV2 {
  const url = new URL(request.url, "http://localhost");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
  const now = new Date();
  let pathParameters: Record<string, string> | undefined;
  try {
    pathParameters = params && Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    pathParameters = params;
  }
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "localhost",
      http: {
        method: request.method,
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    // Always base64, as API Gateway does for binary bodies: keeps invalid UTF-8 intact for the handler to judge.
    ...(body && body.byteLength > 0 ? { body: body.toString("base64"), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

const handlers = new Map<Area, Promise<Handler>>();

function handlerOf(area: Area): Promise<Handler> {
  let handler = handlers.get(area);
  if (!handler) {
    handler = loadHandler<Handler>(area);
    handlers.set(area, handler);
  }
  return handler;
}

/** The event's size as Lambda counts it; API Gateway sends a text body as text, not base64 as here. */
const eventBytes = (event: APIGatewayProxyEventV2) =>
  Buffer.byteLength(JSON.stringify({ ...event, body: "" })) + (event.body ? Buffer.from(event.body, "base64").byteLength : 0);

/** A request and what it was answered, for whoever listens (the tests check every answer against the OpenAPI document). */
export interface Exchange {
  method: string;
  path: string;
  /** The route's key ("GET /people/{personId}/balances"), when a route matched. */
  routeKey?: string;
  /** The request's Accept header, which chooses between JSON and CSV. */
  accept?: string;
  result: APIGatewayProxyStructuredResultV2;
}
const listeners: ((exchange: Exchange) => void)[] = [];
export const onExchange = (listener: (exchange: Exchange) => void) => listeners.push(listener);

/**
 * One request as API Gateway and Lambda answer it: API Gateway's own 404 for a route it does not
 * have, its JWT authorizer on "token" routes and Lambda's payload quota (scripts/local/gateway.ts),
 * then the area's handler; a handler that throws is API Gateway's 500, as in AWS.
 */
export async function dispatch(request: LocalRequest): Promise<APIGatewayProxyStructuredResultV2> {
  const path = new URL(request.url, "http://localhost").pathname;
  const matched = matchRoute(request.method, path);
  const result = await answer(request, matched);
  if (listeners.length) {
    const accept = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === "accept")?.[1];
    const exchange: Exchange = {
      method: request.method,
      path,
      ...(matched ? { routeKey: `${matched.spec.method} ${matched.spec.path}` } : {}),
      ...(accept === undefined ? {} : { accept: String(accept) }),
      result,
    };
    for (const listener of listeners) listener(exchange);
  }
  return result;
}

async function answer(request: LocalRequest, matched: ReturnType<typeof matchRoute>): Promise<APIGatewayProxyStructuredResultV2> {
  // What no route takes is API Gateway's $default route's: the public function (405 or 404).
  if (!matched) return (await handlerOf("public"))(buildEvent(request, "$default", undefined), lambdaContext("public"));
  const event = buildEvent(request, `${matched.spec.method} ${matched.spec.path}`, matched.params);
  if (matched.spec.auth === "token") {
    const refusal = await authorizerRefusal(event.headers.authorization);
    if (refusal) return refusal;
  }
  if (eventBytes(event) > lambdaMaxEventBytes) return eventTooLarge();
  try {
    return await (await handlerOf(matched.spec.area))(event, lambdaContext(matched.spec.area));
  } catch (error) {
    console.error(error);
    return integrationFailed();
  }
}

export interface JsonAnswer<T = any> {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: T;
}

/** An answer's body as its client reads it: the base64 of a binary body and any Content-Encoding undone. */
export function answerText(result: APIGatewayProxyStructuredResultV2): string {
  if (!result.isBase64Encoded) return result.body ?? "";
  const bytes = Buffer.from(result.body ?? "", "base64");
  const coding = result.headers?.["content-encoding"];
  return (coding === "br" ? brotliDecompressSync(bytes) : coding === "gzip" ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** dispatch, with the answer's JSON body parsed (decompressed first, as a client does): what the tests and benchmarks read. */
export async function dispatchJson(request: LocalRequest): Promise<JsonAnswer> {
  const result = await dispatch(request);
  const text = answerText(result);
  return {
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: text ? JSON.parse(text) : undefined,
  };
}
