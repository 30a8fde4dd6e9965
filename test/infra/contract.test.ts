/**
 * The API contract, checked by tools that are not Laurel's: the OpenAPI document passes an
 * independent OpenAPI 3.1 validator (@seriousme/openapi-schema-validator), and every answer the
 * test suite received (recorded by test/support/sdk-recorder.ts) validates against it with ajv
 * (JSON Schema 2020-12): its status, media type, body and the headers its status calls for.
 *
 * It runs after every other test file (vitest.config.ts: the `contract` project's group order).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../functions/http/openapi.ts";
import { problemCatalogue } from "../../functions/http/problem-pages.ts";
import type { RouteSpec } from "../../functions/http/route.ts";
import { routes } from "../../functions/http/routes.ts";
import type { RecordedAnswer } from "../support/sdk-recorder.ts";

type Content = Record<string, { schema: Record<string, unknown> }>;
interface Operation {
  responses: Record<string, { content?: Content }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const document = openApiDocument() as Document;
const base = "https://laurel.invalid/openapi.json";
const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats.default(ajv);
ajv.addSchema({ ...document, $id: base });
const validators = new Map<string, ValidateFunction>();
/** A media type's schema, a reference or inline (a route's problems: `code` one of those it declares), compiled once. */
const validatorOf = (schema: Record<string, unknown>) => {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    // References inside the document are resolved against it.
    validate = ajv.compile(JSON.parse(key.replaceAll('"$ref":"#/', `"$ref":"${base}#/`)));
    validators.set(key, validate);
  }
  return validate;
};

function recordedAnswers(): RecordedAnswer[] {
  const dir = process.env.LAUREL_ANSWER_RECORD;
  if (!dir) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .flatMap((name) =>
      readFileSync(join(dir, name), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedAnswer),
    );
}

/** The headers an answer's status calls for (RFC 9110, RFC 6750, RFC 9457). */
function headerViolations(answer: RecordedAnswer): string[] {
  const { status, headers } = answer;
  const missing = (name: string, why: string) => (headers[name] ? [] : [`${status} without ${name} (${why})`]);
  if (status === 401) return missing("www-authenticate", "RFC 9110 §11.6.1");
  if (status === 405) return missing("allow", "RFC 9110 §15.5.6");
  if (status === 429 || status === 503) return missing("retry-after", "so that clients know when to come back");
  return [];
}

/** Why an answer does not match the document, or nothing when it does. */
function violations(answer: RecordedAnswer): string[] {
  const [method, path] = answer.routeKey?.split(" ") ?? [];
  const responses: Operation["responses"] =
    method && path
      ? (document.paths[path]?.[method.toLowerCase()]?.responses ?? {})
      : // No route of the path's method: the public function's 405 or 404 ($default), or API Gateway's own answer.
        {
          default: {
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/GatewayMessage" } },
              "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
            },
          },
        };
  const declared = responses[String(answer.status)] ?? responses.default;
  if (answer.status === 204 && declared && !declared.content) return answer.body ? ["204 with a body"] : [];
  const type = (answer.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
  const media = declared?.content?.[type];
  if (!media) return [`${answer.status} as ${type || "no media type"}: not declared`, ...headerViolations(answer)];
  if (!type.endsWith("json")) return headerViolations(answer);
  const validate = validatorOf(media.schema);
  if (validate(JSON.parse(answer.body))) return headerViolations(answer);
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  return [`${answer.status} ${type}: ${errors.join("; ")}`, ...headerViolations(answer)];
}

describe("the API contract", () => {
  it("is a valid OpenAPI 3.1 document, by an independent validator", async () => {
    const result = await new Validator().validate(structuredClone(document) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("declares the shape of every route's answer", () => {
    const without = (Object.entries(routes) as [string, RouteSpec][])
      .filter(([, spec]) => spec.success.status !== 204 && !spec.success.schema && !spec.success.alternatives)
      .map(([id, spec]) => `${id} (${spec.method} ${spec.path}): give success.schema (functions/http/answers.ts)`);
    expect(without).toEqual([]);
  });

  it("fails an answer with a field the document does not declare", () => {
    const drifted: RecordedAnswer = {
      routeKey: "GET /health",
      method: "GET",
      path: "/health",
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "ok", uptime: 12 }),
    };
    expect(violations(drifted).join()).toMatch(/additional properties/);
    expect(violations({ ...drifted, body: JSON.stringify({ status: "ok" }) })).toEqual([]);
  });

  it("fails a problem whose code its route does not declare", () => {
    const refusal = (routeKey: string, status: number, code: string): RecordedAnswer => {
      const [method = "", path = ""] = routeKey.split(" ");
      const body = { type: `/problems/${code}`, title: "Conflict", status, detail: "Refused.", code };
      return { routeKey, method, path, status, headers: { "content-type": "application/problem+json" }, body: JSON.stringify(body) };
    };
    expect(violations(refusal("POST /deductions", 409, "insufficient-balance"))).toEqual([]);
    // A code of the catalogue, with its status, that the route does not say it answers.
    expect(violations(refusal("POST /deductions", 409, "out-of-stock")).join()).toMatch(/allowed values/);
    expect(violations(refusal("GET /health", 409, "insufficient-balance")).join()).toMatch(
      /409 as application\/problem\+json: not declared/,
    );
    // Every route declares what every route of its kind answers: a missing token, a bad body, busy.
    const codesOf = (path: string, method: string) => {
      const operation = document.paths[path]?.[method] as { responses: Record<string, { content?: Content }> };
      return Object.values(operation.responses).flatMap(
        (response) =>
          (response.content?.["application/problem+json"]?.schema as { properties?: { code: { enum: string[] } } })?.properties?.code
            .enum ?? [],
      );
    };
    expect(codesOf("/awards", "post")).toEqual(
      expect.arrayContaining(["unauthenticated", "malformed-json", "idempotency-key-missing", "busy", "internal", "self-award"]),
    );
  });

  it("explains every problem code in docs/PROBLEMS.md, with its status", () => {
    const page = readFileSync(join(import.meta.dirname, "../../docs/PROBLEMS.md"), "utf8");
    const missing = Object.entries(problemCatalogue)
      .filter(([code, { status }]) => !page.includes(`| \`${code}\` | ${status} |`))
      .map(([code]) => code);
    expect(missing).toEqual([]);
  });

  it("matches every answer the test suite received", () => {
    const answers = recordedAnswers();
    // Run alone, nothing was recorded: this check needs the whole suite (npm test) before it.
    expect(answers.length, "answers recorded by the suite (run the whole suite)").toBeGreaterThan(1000);
    const found = new Map<string, number>();
    for (const answer of answers) {
      for (const violation of violations(answer)) {
        const key = `${answer.routeKey ?? `${answer.method} ${answer.path}`} → ${violation}`;
        found.set(key, (found.get(key) ?? 0) + 1);
      }
    }
    expect([...found].map(([key, count]) => `${key} (${count}×)`).slice(0, 40)).toEqual([]);
  });
});
