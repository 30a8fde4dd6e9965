/**
 * The OpenAPI 3.1 document, generated from the route specs and their zod schemas (requests and
 * answers alike). Every schema becomes a component of one JSON Schema 2020-12 pass, so that
 * references between them resolve inside the document; components carry no `$id` (2020-12
 * forbids a fragment in one).
 */
import * as z from "../../domain/kernel/zod/index.ts";
import { type ProblemCode, problemCodes, problemStatuses } from "./problems.ts";
import type { RouteSpec } from "./route.ts";
import { routes } from "./routes.ts";
import { ScimError } from "./scim-answers.ts";

const ProblemDetails = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string", format: "uri-reference", description: "A page explaining the problem (GET it)." },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", enum: problemCodes, description: "Machine-readable problem code; GET /problems/{code} explains it." },
    invalidFields: {
      type: "array",
      items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } }, required: ["path", "message"] },
    },
  },
};

/** What API Gateway answers itself (its authorizer, throttling, quotas, unknown routes): not problem details. */
const GatewayMessage = { type: "object", required: ["message"], properties: { message: { type: "string" } }, additionalProperties: false };

const toComponent = (id: string) => `#/components/schemas/${id}`;
const ref = (id: string) => ({ $ref: toComponent(id) });

type Schemas = Record<string, Record<string, unknown>>;

/**
 * Every schema, named (meta ids) and per route (`<operationId>.<part>`), in one pass: refs
 * between them point at components. `idOf` names the component of a route's schema.
 */
function jsonSchemas(entries: [string, RouteSpec][]): { schemas: Schemas; idOf: (schema: z.ZodMiniType) => string } {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of (z.globalRegistry as unknown as { _idmap: Map<string, z.ZodMiniType> })._idmap) registry.add(schema, { id });
  const named = (schema: z.ZodMiniType | undefined, id: string) => {
    if (schema && !registry.has(schema)) registry.add(schema, { id });
  };
  for (const [operationId, spec] of entries) {
    named(spec.params, `${operationId}.params`);
    named(spec.query, `${operationId}.query`);
    named(spec.body, `${operationId}.body`);
    named(spec.success.schema, `${operationId}.answer`);
    named(spec.success.pending, `${operationId}.pending`);
    for (const [type, schema] of Object.entries(spec.rawContent ?? {})) named(schema, `${operationId}.${type.replace(/[^a-z0-9]+/g, "-")}`);
  }
  const { schemas } = z.toJSONSchema(registry, { io: "input", unrepresentable: "any", uri: toComponent });
  return {
    schemas: Object.fromEntries(
      Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema as Record<string, unknown>]),
    ),
    idOf: (schema) => (registry.get(schema) as { id: string }).id,
  };
}

function parameters(spec: RouteSpec, schemas: Schemas, idOf: (schema: z.ZodMiniType) => string) {
  const list: object[] = [];
  for (const [where, schema] of [
    ["path", spec.params],
    ["query", spec.query],
  ] as const) {
    if (!schema) continue;
    const object = schemas[idOf(schema)] as { properties?: Record<string, object>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({ name, in: where, required: where === "path" || (object.required ?? []).includes(name), schema: property });
    }
  }
  if (spec.etag && spec.method === "PUT")
    list.push({
      name: "If-Match",
      in: "header",
      required: false,
      description: "The ETag of the version the change was made from: 412 version-mismatch if the definition moved on since.",
      schema: { type: "string" },
    });
  if (spec.idempotencyKey)
    list.push({ name: "Idempotency-Key", in: "header", required: true, schema: { type: "string", minLength: 8, maxLength: 128 } });
  return list;
}

function requestBody(spec: RouteSpec, idOf: (schema: z.ZodMiniType) => string) {
  if (spec.body) return { required: true, content: { "application/json": { schema: ref(idOf(spec.body)) } } };
  if (!spec.rawContent) return undefined;
  const content = Object.fromEntries(Object.entries(spec.rawContent).map(([type, schema]) => [type, { schema: ref(idOf(schema)) }]));
  return { required: true, content };
}

/** The body codes of parseJson (domain/kernel/json.ts): what a JSON body DynamoDB could not store is refused with. */
const bodyProblems: ProblemCode[] = [
  "body-missing",
  "malformed-json",
  "unsupported-media-type",
  "body-too-large",
  "validation-failed",
  "too-deep",
  "too-many-keys",
  "number-out-of-range",
  "key-empty",
  "lone-surrogate",
];

/**
 * Every problem code a route answers: those of its kind, from what its spec says it takes (the
 * HTTP stack's checks, functions/http/http.ts), and its own (`problems`). SCIM routes answer
 * SCIM's errors, which have no code.
 */
export function routeProblems(spec: RouteSpec): ProblemCode[] {
  if (spec.protocol === "scim") return [];
  const codes = new Set<ProblemCode>(["internal"]);
  // Every function but the public one reads DynamoDB: a throttle or lost race is 503 busy.
  if (spec.area !== "public") codes.add("busy");
  // A bearer token, or the signature a public route takes instead (webhooks, DingTalk's callback).
  if (spec.auth === "token" || spec.credential) codes.add("unauthenticated");
  if (spec.params) for (const code of ["validation-failed", "malformed-path"] as const) codes.add(code);
  if (spec.query) codes.add("validation-failed");
  if (spec.body) for (const code of bodyProblems) codes.add(code);
  if (spec.rawBody) codes.add("body-too-large");
  if (spec.idempotencyKey)
    for (const code of ["idempotency-key-missing", "validation-failed", "idempotency-key-reused"] as const) codes.add(code);
  if (spec.etag && spec.method === "PUT") codes.add("version-mismatch");
  for (const code of spec.problems ?? []) codes.add(code);
  return [...codes].sort();
}

const gateway = { "application/json": { schema: ref("GatewayMessage") } };

/**
 * What a route answers when it refuses, per status: problem details whose `code` is one the route
 * declares (SCIM's error on SCIM routes); API Gateway's own message (its authorizer, throttling,
 * quotas) on any status.
 */
function refusals(spec: RouteSpec) {
  if (spec.protocol === "scim")
    return {
      default: {
        description: "A SCIM error (RFC 7644 §3.12), or API Gateway's own message (throttling, quotas).",
        content: { "application/scim+json": { schema: ref("ScimError") }, ...gateway },
      },
    };
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of routeProblems(spec)) byStatus.set(problemStatuses[code], [...(byStatus.get(problemStatuses[code]) ?? []), code]);
  const problems = Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      status,
      {
        description: `A problem (RFC 9457): ${codes.map((code) => `\`${code}\``).join(", ")} (GET /problems/{code} explains each).`,
        content: {
          "application/problem+json": { schema: { allOf: [ref("Problem")], properties: { code: { enum: codes } } } },
          ...gateway,
        },
      },
    ]),
  );
  return { ...problems, default: { description: "API Gateway's own message (its authorizer, throttling, quotas).", content: gateway } };
}

/** The credentials a route takes, by the document's security schemes; public routes none. */
function security(spec: RouteSpec) {
  if (spec.auth === "token") return [{ bearer: [] }];
  if (spec.protocol === "scim") return [{ provisioner: [] }];
  return spec.credential ? [{ [spec.credential]: [] }] : [];
}

const securitySchemes = {
  bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
  provisioner: {
    type: "http",
    scheme: "bearer",
    description: "A provisioning client's credential (POST /admin/provisioners/{clientId}/credentials).",
  },
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description: "Standard Webhooks: an HMAC-SHA256 of webhook-id, webhook-timestamp and the body with the source's secret.",
  },
  dingtalkSignature: {
    type: "apiKey",
    in: "query",
    name: "msg_signature",
    description: "DingTalk's callback signature over the token, timestamp, nonce and the encrypted body.",
  },
};

function responses(spec: RouteSpec, idOf: (schema: z.ZodMiniType) => string) {
  const { status, description, schema, alternatives, pending } = spec.success;
  const mediaType = spec.protocol === "scim" ? "application/scim+json" : (spec.success.mediaType ?? "application/json");
  const json = schema ? { [mediaType]: { schema: ref(idOf(schema)) } } : {};
  return {
    [status]: {
      description,
      ...(spec.etag ? { headers: { ETag: { description: "The version, for If-Match.", schema: { type: "string" } } } } : {}),
      ...(status === 204 ? {} : { content: { ...json, ...alternatives } }),
    },
    ...(pending
      ? {
          202: {
            description: "The change waits for a second admin's approval (four eyes).",
            content: { "application/json": { schema: ref(idOf(pending)) } },
          },
        }
      : {}),
    ...refusals(spec),
  };
}

export function openApiDocument(): object {
  const entries = Object.entries(routes) as [string, RouteSpec][];
  const { schemas, idOf } = jsonSchemas(entries);
  const paths: Record<string, Record<string, object>> = {};
  for (const [operationId, spec] of entries) {
    const body = requestBody(spec, idOf);
    const operation = {
      operationId,
      summary: spec.summary,
      security: security(spec),
      parameters: parameters(spec, schemas, idOf),
      ...(body ? { requestBody: body } : {}),
      responses: responses(spec, idOf),
    };
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operation };
  }
  // Parameters are declared one by one; their objects are not components.
  for (const [, spec] of entries) for (const schema of [spec.params, spec.query]) if (schema) delete schemas[idOf(schema)];
  return {
    openapi: "3.1.0",
    info: {
      title: "Laurel",
      version: "1",
      description: "Incentive and gamification ledger: badges, coins, points, promotion gates, innovation fund.",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes,
      schemas: { ...schemas, Problem: ProblemDetails, GatewayMessage, ScimError },
    },
    paths,
  };
}
