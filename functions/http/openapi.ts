/** The OpenAPI 3.1 document, generated from the route specs and their zod schemas. */
import * as z from "zod";
import type { RouteSpec } from "./route.ts";
import { routes } from "./routes.ts";

const ProblemDetails = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", description: "Machine-readable problem code." },
    invalidFields: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
  },
};

const toComponent = (id: string) => `#/components/schemas/${id}`;

/** Schemas with a meta id become components; the rest are inlined where they are used. */
const jsonSchema = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: toComponent(id) };
  const { $schema: _, ...inline } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return inline;
};

function parameters(spec: RouteSpec) {
  const list: object[] = [];
  for (const [where, schema] of [
    ["path", spec.params],
    ["query", spec.query],
  ] as const) {
    if (!schema) continue;
    const properties = (jsonSchema(schema) as { properties?: Record<string, object>; required?: string[] }).properties ?? {};
    const required = (jsonSchema(schema) as { required?: string[] }).required ?? [];
    for (const [name, property] of Object.entries(properties)) {
      list.push({ name, in: where, required: where === "path" || required.includes(name), schema: property });
    }
  }
  if (spec.idempotencyKey)
    list.push({ name: "Idempotency-Key", in: "header", required: true, schema: { type: "string", minLength: 8, maxLength: 128 } });
  return list;
}

export function openApiDocument(): object {
  const components = z.toJSONSchema(z.globalRegistry, { io: "input", unrepresentable: "any", uri: toComponent }).schemas;
  const paths: Record<string, Record<string, object>> = {};
  for (const [id, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const operation = {
      operationId: id,
      summary: spec.summary,
      ...(spec.auth === "token" ? {} : { security: [] }),
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(spec.body) } } } } : {}),
      responses: {
        [spec.success.status]: { description: spec.success.description, content: { "application/json": { schema: {} } } },
        default: {
          description: "A problem (RFC 9457).",
          content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
        },
      },
    };
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Laurel",
      version: "1",
      description: "Incentive and gamification ledger: badges, coins, points, promotion gates, innovation fund.",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { ...components, Problem: ProblemDetails },
    },
    paths,
  };
}
