/**
 * A route's contract: method, path, the function (area) that serves it, who may call it and
 * the zod schemas of its input. The API Gateway routes (lib/), the local server, the request
 * validation and the OpenAPI document are all built from these specs.
 */
import type { Caller } from "../../domain/directory/index.ts";
import type * as z from "../../domain/kernel/zod/index.ts";
import type { ProblemCode } from "./problems.ts";

export const areas = [
  "public",
  "ledger",
  "admin",
  "webhooks",
  "eligibility",
  "fund",
  "leaderboard",
  "leaderboard-settings",
  "bounties",
  "imports",
  "sign-in",
  "notifications",
] as const;
export type Area = (typeof areas)[number];

export interface RouteSpec<
  P extends z.ZodMiniType = z.ZodMiniType,
  Q extends z.ZodMiniType = z.ZodMiniType,
  B extends z.ZodMiniType = z.ZodMiniType,
> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  area: Area;
  summary: string;
  /** Public routes skip the JWT check (webhooks sign their own requests). */
  auth: "public" | "token";
  /**
   * The problem codes of the route's own (functions/http/problems.ts): what its implementation
   * refuses. Those every route of its kind answers (a bad body, a missing token, busy) are added
   * from the spec's other fields (routeProblems in functions/http/openapi.ts); the OpenAPI document
   * declares both, and test/infra/contract.test.ts fails an answer with a code its route did not declare.
   */
  problems?: readonly ProblemCode[];
  params?: P;
  query?: Q;
  body?: B;
  /** Writes that money-like values depend on need an Idempotency-Key header. */
  idempotencyKey?: boolean;
  /** The body is handed over unparsed (webhooks verify a signature over the exact bytes). */
  rawBody?: { maxBytes: number };
  /**
   * Who writes the action's one audit record: the HTTP stack, for every change by an admin,
   * finance or an approver; "service" where the service records it itself, with what it found
   * (eligibility checks, which are reads of personal data by any role).
   */
  audit?: "service";
  /** The success status, a description and the shape of the answer, for the OpenAPI document. */
  success: {
    /** 204: nothing in the body. */
    status: 200 | 201 | 204;
    description: string;
    /** The answer's media type when it is JSON of a kind of its own (application/jwk-set+json); application/json else. */
    mediaType?: string;
    /** The JSON answer's shape (functions/http/answers.ts); test/infra/contract.test.ts names a route without one. */
    schema?: z.ZodMiniType;
    /** Media types answered besides JSON when the client asks for them (Accept), as OpenAPI content. */
    alternatives?: Record<string, { schema: object }>;
    /** 202: the change waits for a second admin (four eyes). */
    pending?: z.ZodMiniType;
  };
  /**
   * A versioned definition: the answer carries an ETag of its version, and a PUT honours If-Match
   * (412 version-mismatch when the definition moved on since the client read it).
   */
  etag?: true;
  /** Bodies the route takes unparsed (rawBody), per media type. */
  rawContent?: Record<string, z.ZodMiniType>;
  /**
   * A route of another protocol, with its own credentials and error format: SCIM (RFC 7644)
   * answers application/scim+json, refuses with SCIM errors (§3.12), and takes a provisioning
   * client's bearer credential.
   */
  protocol?: "scim";
  /** What a public route takes as its caller's credential instead of a token (the OpenAPI security scheme). */
  credential?: "webhookSignature" | "dingtalkSignature";
}

export interface Request<S extends RouteSpec> {
  caller: S["auth"] extends "token" ? Caller : Caller | undefined;
  params: S["params"] extends z.ZodMiniType ? z.output<S["params"]> : Record<string, never>;
  query: S["query"] extends z.ZodMiniType ? z.output<S["query"]> : Record<string, never>;
  body: S["body"] extends z.ZodMiniType ? z.output<S["body"]> : undefined;
  idempotencyKey: string;
  /** The version an If-Match header names (an ETag this API gave), on etag routes. */
  ifMatch: number | undefined;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface Reply {
  status?: number;
  /** JSON, unless a contentType is given: then the body is text sent as it is (CSV, say). */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Implementation<S extends RouteSpec> = (request: Request<S>) => Promise<Reply>;

export const defineRoute = <const S extends RouteSpec>(spec: S): S => spec;

/** A definition change's answer: the new version, or 202 and the proposal waiting for a second admin. */
export const changeReply = (result: { status: "current"; view: object } | { status: "pending"; view: object }): Reply =>
  result.status === "current" ? { body: result.view } : { status: 202, body: { status: "pending", ...result.view } };

/** The methods each path of these routes takes: what a 405 names in its Allow header. */
export function methodsByPath(specs: Iterable<RouteSpec>): Map<string, string[]> {
  const methods = new Map<string, string[]>();
  for (const spec of specs) methods.set(spec.path, [...(methods.get(spec.path) ?? []), spec.method].sort());
  return methods;
}
