/**
 * The HTTP stack every area's Lambda shares: observability first (Powertools' trace segment and
 * Lambda context, the correlation id, one JSON log line per request), problem details for every
 * error, then routing, authentication and zod validation of params, query and body, then the
 * route's implementation; the final answer, problems included, compressed when the client accepts
 * it (compression's after and onError run after observability's: middy runs them in reverse).
 */
import { randomUUID } from "node:crypto";
import middy, { type MiddlewareObj } from "@middy/core";
import httpRouter from "@middy/http-router";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { Caller } from "../../domain/directory/index.ts";
import { DomainError, type ErrorKind, type InvalidField, UnauthenticatedError, ValidationError } from "../../domain/kernel/errors.ts";
import { parseJson } from "../../domain/kernel/json.ts";
import { IdempotencyKey } from "../../domain/kernel/schemas.ts";
import type * as z from "../../domain/kernel/zod/index.ts";
import type { Outcome } from "../../domain/ledger/index.ts";
import type { AuditLog } from "../dynamo/audit-log.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import { compression } from "./compression.ts";
import { createLogger, type Logger, observe } from "./log.ts";
import { type Area, type Implementation, methodsByPath, type Reply, type RouteSpec } from "./route.ts";
import type { RouteId, routes } from "./routes.ts";

export type Event = APIGatewayProxyEventV2;
export type Result = APIGatewayProxyStructuredResultV2;

/** An area's route specs: every route whose spec names the area (its function's entry imports only these). */
export type AreaRoutes<A extends Area> = {
  [K in RouteId as (typeof routes)[K]["area"] extends A ? K : never]: (typeof routes)[K];
};

/** The implementations an area must provide: exactly its routes, each typed by its spec. */
export type AreaImplementations<A extends Area> = { [K in keyof AreaRoutes<A>]: Implementation<AreaRoutes<A>[K]> };

export const maxBodyBytes = 256 * 1024;

const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "precondition-failed": 412,
  "too-large": 413,
  unprocessable: 422,
  unavailable: 503,
};

const titles: Record<number, string> = {
  400: "Bad request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  405: "Method not allowed",
  412: "Precondition failed",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  503: "Service unavailable",
  500: "Internal server error",
};

interface Internal extends Record<string, unknown> {
  correlationId: string;
  startedAt: number;
  callerId?: string;
}

type LaurelRequest = { event: Event; response: Result | null; error: Error | null; internal: Internal };
type CorrelatedLogger = Logger & { setCorrelationId(value: string): void };

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Result {
  return {
    statusCode: status,
    headers: { "content-type": "application/problem+json", ...headers },
    // The members RFC 9457 defines come last: a detail never overrides them.
    body: JSON.stringify({ ...extra, type: `/problems/${code}`, title: titles[status] ?? "Error", status, detail, code }),
  };
}

export function zodFields(error: z.core.$ZodError, prefix: string): InvalidField[] {
  return error.issues.map((issue) => ({ path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."), message: issue.message }));
}

/** The methods @middy/http-router routes. */
const routerMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] as const;

export const methodNotAllowed = (methods: readonly string[]): Result =>
  problem(405, "method-not-allowed", `This address takes ${methods.join(", ")}.`, {}, { allow: methods.join(", ") });

function toProblem(error: unknown, correlationId: string, retryable: HttpDeps["retryable"]): Result {
  if (error instanceof DomainError) {
    const status = statusOf[error.kind];
    const headers: Record<string, string> =
      status === 503
        ? { "retry-after": String(error.details.retryAfterSeconds ?? 1) }
        : status === 401
          ? // Every 401 names a scheme (RFC 9110 §11.6.1): a refused sign-in code's is the bearer token it would have given.
            { "www-authenticate": error instanceof UnauthenticatedError ? error.challenge : 'Bearer realm="laurel"' }
          : {};
    return problem(status, error.code, error.message, error.details, headers);
  }
  if (retryable?.(error)) {
    return problem(503, "busy", "The ledger is busy; retry in a moment.", { correlationId }, { "retry-after": "1" });
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (statusCode === 404) return problem(404, "route-not-found", "There is no such route; see /openapi.json.");
  return problem(500, "internal", `Something went wrong on our side; quote ${correlationId} when reporting it.`, { correlationId });
}

/** The routes that answer in SCIM's error format: the function serving them passes scimError (functions/scim/scim-api.ts). */
const scimRouteKeys = (specs: RouteSpec[]) =>
  new Set(specs.filter((spec) => spec.protocol === "scim").map((spec) => `${spec.method} ${spec.path}`));

const observability = (
  log: CorrelatedLogger,
  scimRoutes: Set<string>,
  { scimError, retryable }: HttpDeps,
): MiddlewareObj<Event, Result, Error, Context, Internal> => ({
  before: (request) => {
    const given = request.event.headers?.["x-correlation-id"];
    const correlationId = given && /^[A-Za-z0-9_-]{8,64}$/.test(given) ? given : (request.event.requestContext?.requestId ?? randomUUID());
    request.internal.correlationId = correlationId;
    request.internal.startedAt = performance.now();
    log.setCorrelationId(correlationId);
  },
  after: (request) => finish(request as LaurelRequest, log),
  onError: (request) => {
    const { event, internal, error } = request as LaurelRequest;
    const response = toProblem(error, internal.correlationId ?? "unknown", retryable);
    if (response.statusCode === 500) log.error("unhandled error", { error });
    request.response = scimError && scimRoutes.has(event.routeKey) ? scimError(response) : response;
    finish(request as LaurelRequest, log);
  },
});

function finish({ event, response, internal }: LaurelRequest, log: Logger): void {
  if (!response) return;
  response.headers = { ...response.headers, "x-correlation-id": internal.correlationId, "cache-control": "no-store" };
  log.info("request", {
    method: event.requestContext?.http?.method,
    route: event.routeKey,
    path: event.rawPath,
    status: response.statusCode,
    callerId: internal.callerId,
    durationMs: Math.round(performance.now() - internal.startedAt),
  });
}

function bodyBytes(event: Event, limit: number): Buffer {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8")) : Buffer.alloc(0);
  if (raw.byteLength > limit) throw new DomainError("too-large", "body-too-large", `Bodies may be at most ${limit} bytes.`, { limit });
  return raw;
}

function parseJsonBody(event: Event): unknown {
  const raw = bodyBytes(event, maxBodyBytes);
  if (raw.byteLength === 0) throw new DomainError("invalid", "body-missing", "This route needs a JSON body.");
  const type = (event.headers?.["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new DomainError("invalid", "unsupported-media-type", "Send the body as application/json.");
  }
  return parseJson(raw);
}

function validate<T>(schema: z.ZodMiniType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return {} as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields = zodFields(parsed.error, where);
    throw new ValidationError(`The ${where} is not valid: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}.`, fields);
  }
  return parsed.data;
}

function decodedParams(event: Event): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, decodeURIComponent(v ?? "")]));
  } catch {
    throw new DomainError("invalid", "malformed-path", "The path is not valid.");
  }
}

export interface HttpDeps {
  auth: () => AuthConfig;
  /** Told when a request begins, so that cached definitions are checked before they are used. */
  definitions?: { newRequest(): void };
  /** Where the actions of admins, finance and approvers are recorded. */
  audit?: Pick<AuditLog, "append">;
  /** Errors after which the same request may succeed (DynamoDB's throttling and races): 503 busy, with Retry-After. */
  retryable?: (error: unknown) => boolean;
  /** A problem as SCIM's error, for the function that serves SCIM routes (only it bundles SCIM). */
  scimError?: (problem: Result) => Result;
}

const targetsOf = (params: unknown, body: unknown): string[] => {
  const personId = (body as { personId?: unknown } | undefined)?.personId;
  return [...(Object.values(params as object) as string[]), ...(typeof personId === "string" ? [personId] : [])];
};

/** Roles whose every change is recorded in the audit trail (issue: who did what, to whom, when). */
const auditedRoles = new Set(["admin", "finance", "approver"]);

async function audited(
  deps: HttpDeps,
  routeId: string,
  spec: RouteSpec,
  caller: Caller | undefined,
  /** The ids the action concerns: path parameters, and a person id named in the body. */
  targets: string[],
  run: () => Promise<Reply>,
): Promise<Reply> {
  if (!deps.audit || !caller || spec.method === "GET" || spec.audit === "service" || !caller.roles.some((role) => auditedRoles.has(role)))
    return run();
  const record = (outcome: string) =>
    (deps.audit as Pick<AuditLog, "append">).append({
      auditId: randomUUID(),
      at: new Date().toISOString(),
      actor: caller.personId,
      action: routeId,
      targets,
      details: { method: spec.method, path: spec.path },
      outcome,
    });
  try {
    const reply = await run();
    await record(String(reply.status ?? spec.success.status));
    return reply;
  } catch (error) {
    if (error instanceof DomainError) await record(error.code);
    throw error;
  }
}

/** If-Match names the ETag (`"<version>"`, weak or strong) the client read; `*` or none asks nothing. */
function versionMatched(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const version = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header)?.[1];
  // A tag this API never gave matches no version: the change is refused rather than applied blindly.
  return version === undefined ? -1 : Number(version);
}

function implement(
  routeId: string,
  spec: RouteSpec,
  implementation: Implementation<RouteSpec>,
  deps: HttpDeps,
  internalOf: (event: Event) => Internal,
) {
  return async (event: Event): Promise<Result> => {
    const caller = spec.auth === "token" ? await authenticate(event.headers?.authorization, deps.auth()) : undefined;
    if (caller) internalOf(event).callerId = caller.personId;
    const params = validate(spec.params, decodedParams(event), "path");
    const query = validate(spec.query, event.queryStringParameters ?? {}, "query");
    const body = spec.body ? validate(spec.body, parseJsonBody(event), "body") : undefined;
    let idempotencyKey = "";
    if (spec.idempotencyKey) {
      const header = event.headers?.["idempotency-key"];
      if (header === undefined) {
        throw new DomainError(
          "invalid",
          "idempotency-key-missing",
          "Send an Idempotency-Key header (e.g. a UUID) so that retries are safe.",
        );
      }
      idempotencyKey = validate(IdempotencyKey, header, "Idempotency-Key header");
    }
    const rawBody = spec.rawBody ? bodyBytes(event, spec.rawBody.maxBytes) : Buffer.alloc(0);
    const ifMatch = spec.etag ? versionMatched(event.headers?.["if-match"]) : undefined;
    const reply: Reply = await audited(deps, routeId, spec, caller, targetsOf(params, body), () =>
      implementation({ caller, params, query, body, idempotencyKey, ifMatch, headers: event.headers ?? {}, rawBody } as never),
    );
    const version = (reply.body as { version?: unknown } | undefined)?.version;
    const etag = spec.etag && reply.status !== 202 && typeof version === "number" ? { etag: `"${version}"` } : {};
    const statusCode = reply.status ?? spec.success.status;
    // A 204 has no content, so no media type (RFC 9110 §15.3.5).
    const media = statusCode === 204 ? {} : { "content-type": reply.contentType ?? "application/json" };
    return {
      statusCode,
      headers: { ...media, ...etag, ...reply.headers },
      body: reply.contentType ? String(reply.body) : JSON.stringify(reply.body),
    };
  };
}

/** An idempotent write's answer: its result, marked when it replays an earlier request's. */
export const written = ({ result, replayed }: Outcome<unknown>): Reply => ({
  body: result,
  headers: replayed ? { "idempotent-replayed": "true" } : {},
});

/**
 * Where a request for no route of this function goes before it is a 404: the public function
 * takes API Gateway's `$default` route, so a known path with a method it has no route for comes
 * to it, and is answered 405 with the path's methods in Allow. Every route's spec is loaded only
 * then, so that the function's start does not build every area's schemas.
 */
export type EveryRoute = () => Promise<Iterable<RouteSpec>>;

/** A router answering 405 for each method a known path does not take (the router's ANY would also take the path's own). */
async function refusalsOf(everyRoute: EveryRoute) {
  const refusals = [...methodsByPath(await everyRoute())].flatMap(([path, methods]) =>
    routerMethods
      .filter((method) => !methods.includes(method))
      .map((method) => ({ method, path, handler: async (_event: Event): Promise<Result> => methodNotAllowed(methods) })),
  );
  return httpRouter(refusals);
}

/** The Lambda handler of one area: its routes (exactly the area's specs), behind the shared middleware. */
export function httpHandler<A extends Area>(
  area: A,
  specs: AreaRoutes<A>,
  implementations: AreaImplementations<A>,
  deps: HttpDeps & { everyRoute?: EveryRoute },
) {
  const internals = new WeakMap<Event, Internal>();
  const internalOf = (event: Event) => internals.get(event) as Internal;
  const specOf = specs as Record<string, RouteSpec>;
  const table = Object.entries(implementations as Record<string, Implementation<RouteSpec>>).map(([id, implementation]) => {
    const spec = specOf[id] as RouteSpec;
    return { method: spec.method, path: spec.path, handler: implement(id, spec, implementation, deps, internalOf) };
  });
  const router = httpRouter(table);
  let refusals: ReturnType<typeof refusalsOf> | undefined;
  const route = async (event: Event, context: Context): Promise<Result> => {
    try {
      return await (router(event, context, undefined as never) as Promise<Result>);
    } catch (error) {
      if (!deps.everyRoute || (error as { statusCode?: unknown }).statusCode !== 404) throw error;
      refusals ??= refusalsOf(deps.everyRoute);
      return (await refusals)(event, context, undefined as never) as Promise<Result>;
    }
  };
  const log = createLogger(area);
  return middy<Event, Result, Error, Context, Internal>()
    .use(observe(log))
    .use(compression())
    .use(observability(log, scimRouteKeys(Object.values(specOf)), deps))
    .use({
      before: (request) => {
        deps.definitions?.newRequest();
        internals.set(request.event, request.internal);
      },
    })
    .handler(route);
}
