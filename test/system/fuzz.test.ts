/**
 * Fuzzing (fast-check, fixed seeds): correctly signed webhook bodies of arbitrary and adversarial
 * JSON and bytes, and arbitrary and adversarial bodies for every JSON route with a body. The
 * answer is always a 4xx (or a 2xx when the input happens to be valid), errors are problem details
 * with a code, never a 5xx; and a refused request writes nothing at all (both tables compared,
 * item for item, before and after).
 */
import { createHash, createHmac } from "node:crypto";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capabilities } from "../../domain/kernel/model.ts";
import * as z from "../../domain/kernel/zod/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import type { RouteSpec } from "../../functions/http/route.ts";
import { routes } from "../../functions/http/routes.ts";
import { demoBadges, demoPeople, demoRules, demoSources } from "../../scripts/demo-data.ts";
import { answerText, dispatch } from "../../scripts/local/api.ts";
import type { ApiResponse } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const course = "com.tianma.learning.course.completed";

// Some history to reverse and retract, and so that refusals have something to leave alone.
const seeded = await deliver(learning, cloudEvent(course, "yang-xue", { courseId: "fuzz", score: 95 }), {
  secret: secrets[learning] as string,
});
const seededEventId = seeded.body.results[0].id as string;
const award = await admin.post("/awards", { personId: "wu-min", coins: 40, reason: "fuzz start" });
const entryIds = [seeded.body.results[0].awards[0].entryId as string, award.body.entries[0].entryId as string];

const db = createDocumentClient();

/**
 * Every item of both tables, hashed: any write at all changes it. Audit-trail lines (AUDIT#) are
 * left out: recording who tried what and how it ended, refusals included, is their purpose.
 */
async function digest(): Promise<string> {
  const hash = createHash("sha256");
  for (const table of [tableNames.ledger, tableNames.state]) {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const lines = items
      .filter((item) => !String(item.pk).startsWith("AUDIT#"))
      .map((item) => JSON.stringify(item, Object.keys(item).sort()))
      .sort();
    hash.update(`${table}\n${lines.join("\n")}\n`);
  }
  return hash.digest("hex");
}

async function send(method: string, url: string, headers: Record<string, string>, body: Buffer | string): Promise<ApiResponse> {
  const result = await dispatch({ method, url, headers, body });
  const text = answerText(result);
  const contentType = String(result.headers?.["content-type"] ?? "");
  return {
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: contentType.includes("json") && text ? JSON.parse(text) : text,
  };
}

const tried = { webhook: 0, routes: 0, accepted: 0, refused: 0 };
const statuses = new Map<string, number>();
let state = "";

/**
 * The property every answer has: a 2xx or a 4xx, never a 5xx; an error is problem details with a
 * code; events refused one by one say why with a 4xx problem; nothing written unless accepted.
 */
async function judge(what: string, response: ApiResponse): Promise<void> {
  const context = `${what} → ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  expect([2, 4], context).toContain(Math.floor(response.status / 100));
  let wrote = false;
  const code = response.status >= 400 ? `${response.status} ${response.body?.code}` : String(response.status);
  statuses.set(code, (statuses.get(code) ?? 0) + 1);
  // API Gateway's own answers (docs/INTEGRATION.md): e.g. a ".." in a path leaves no route to match.
  const gateway = response.headers["content-type"] === "application/json" && Object.keys(response.body ?? {}).join() === "message";
  if (gateway) {
    expect([401, 404, 413, 429], context).toContain(response.status);
  } else if (response.status >= 400) {
    expect(response.headers["content-type"], context).toBe("application/problem+json");
    expect(response.body, context).toMatchObject({ status: response.status, code: expect.any(String), type: expect.any(String) });
  } else {
    const results = Array.isArray(response.body?.results) ? response.body.results : undefined;
    wrote = !results || results.some((r: { status: string }) => r.status !== "rejected");
    for (const result of results ?? []) {
      if (result.status !== "rejected") continue;
      expect(result.problem, context).toMatchObject({ code: expect.any(String) });
      expect(result.problem.status, context).toBeGreaterThanOrEqual(400);
      expect(result.problem.status, context).toBeLessThan(500);
    }
  }
  const after = await digest();
  if (wrote) tried.accepted += 1;
  else {
    tried.refused += 1;
    expect(after === state, `${context}: a refused request changed the tables`).toBe(true);
  }
  state = after;
}

// ---------------------------------------------------------------------------------------------
// Adversarial values

const nastyNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 0.5, 1.5, -0.000001, 1e21, 2 ** 53, 2 ** 53 + 2, 1_000_000_001, Number.MAX_VALUE, Number.MIN_VALUE, -1e308),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
);
const nastyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "__proto__", "constructor", "prototype", "../../etc/passwd", "yang-xue\u0000", "a".repeat(600), "💥".repeat(70)),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyNumber,
  nastyString,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom([], {}, { __proto__: { admin: true } }, [1, "a", null]),
);
const protoKeys = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf");

/** JSON text with a `__proto__`-like key spliced into an object: JSON.stringify would drop an own `__proto__`. */
function withKey(value: Record<string, unknown>, key: string, inner: unknown): string {
  const text = JSON.stringify(value);
  const entry = `${JSON.stringify(key)}:${JSON.stringify(inner) ?? "null"}`;
  return text === "{}" ? `{${entry}}` : `{${entry},${text.slice(1)}`;
}

const deep = (depth: number, open: string, close: string, leaf = "1") => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// Webhooks

function signed(sourceId: string, body: Buffer, contentType: string | undefined, id: string): Promise<ApiResponse> {
  const secret = secrets[sourceId] as string;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
  const headers: Record<string, string> = {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`,
  };
  if (contentType) headers["content-type"] = contentType;
  return send("POST", `/webhooks/${sourceId}`, headers, body);
}

const eventLike = fc.record(
  {
    specversion: fc.oneof(fc.constant("1.0"), nastyValue),
    id: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), nastyValue),
    source: fc.oneof(fc.constant("https://learning.tianma.example"), nastyValue),
    type: fc.oneof(fc.constantFrom(course, "com.tianma.learning.certification.passed", "laurel.event.retracted"), nastyValue),
    subject: fc.oneof(fc.constantFrom(...demoPeople.map((p) => p.personId), "ghost"), nastyValue),
    time: fc.oneof(
      fc.constant(new Date().toISOString()),
      fc.constantFrom("2000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "not a time", "2025-13-45T99:99:99Z"),
      nastyValue,
    ),
    data: fc.oneof(
      fc.record({ courseId: nastyValue, score: nastyValue }, { requiredKeys: [] }),
      fc.record({ level: nastyValue }),
      fc.record({ eventId: fc.oneof(fc.constant(seededEventId), nastyValue), reason: nastyValue }, { requiredKeys: [] }),
      nastyValue,
    ),
    extra: nastyValue,
  },
  { requiredKeys: [] },
);

const webhookBody: fc.Arbitrary<{ kind: string; body: Buffer }> = fc.oneof(
  fc.jsonValue().map((v) => ({ kind: "json", body: Buffer.from(JSON.stringify(v)) })),
  eventLike.map((e) => ({ kind: "event-like", body: Buffer.from(JSON.stringify(e)) })),
  fc.array(eventLike, { maxLength: 8 }).map((batch) => ({ kind: "batch", body: Buffer.from(JSON.stringify(batch)) })),
  fc
    .tuple(eventLike, protoKeys, nastyValue)
    .map(([e, key, inner]) => ({ kind: "proto", body: Buffer.from(withKey(e as Record<string, unknown>, key, inner)) })),
  fc.tuple(protoKeys, nastyValue).map(([key, inner]) => ({
    kind: "proto-data",
    body: Buffer.from(
      JSON.stringify(cloudEvent(course, "yang-xue", { courseId: "p", score: 90 })).replace(
        '"data":{',
        `"data":{${JSON.stringify(key)}:${JSON.stringify(inner) ?? "null"},`,
      ),
    ),
  })),
  fc.integer({ min: 1, max: 20_000 }).map((n) => ({ kind: "deep", body: Buffer.from(deep(n, '{"a":', "}")) })),
  fc.integer({ min: 1, max: 20_000 }).map((n) => ({ kind: "deep-array", body: Buffer.from(deep(n, "[", "]")) })),
  fc.integer({ min: 10_000, max: 900_000 }).map((n) => ({
    kind: "huge-string",
    body: Buffer.from(JSON.stringify(cloudEvent(course, "yang-xue", { courseId: "x".repeat(n), score: 90 }))),
  })),
  fc.constantFrom("1e999", "-1e999", "123456789012345678901234567890", "-0", "1.7976931348623157e309", "0.1e-400").map((n) => ({
    kind: "number",
    body: Buffer.from(JSON.stringify(cloudEvent(course, "yang-xue", { courseId: "n", score: 0 })).replace('"score":0', `"score":${n}`)),
  })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: "bytes", body: Buffer.from(bytes) })),
  fc
    .tuple(fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]), fc.nat(30))
    .map(([bad, at]) => {
      const text = Buffer.from(JSON.stringify(cloudEvent(course, "yang-xue", { courseId: "utf8", score: 90 })));
      const cut = Math.min(at + 10, text.length);
      return { kind: "invalid-utf8", body: Buffer.concat([text.subarray(0, cut), Buffer.from(bad), text.subarray(cut)]) };
    }),
);

describe("fuzzing the webhook endpoint", () => {
  it("signed arbitrary bodies: always a 2xx or a 4xx with a problem, never a 5xx, refusals write nothing", async () => {
    state = await digest();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        webhookBody,
        fc.constantFrom(learning, "tianma-oa"),
        fc.constantFrom("application/cloudevents+json", "application/cloudevents-batch+json", "application/json", "text/plain", undefined),
        async ({ kind, body }, sourceId, contentType) => {
          tried.webhook += 1;
          n += 1;
          const response = await signed(sourceId, body, contentType, `msg_fuzz_${n}`);
          await judge(`webhook ${kind} (${body.byteLength} bytes, ${contentType})`, response);
        },
      ),
      { seed: 20_250_611, numRuns: 200, endOnFailure: true },
    );
  }, 60_000);

  it("oversized bodies and batches are a 413 and write nothing", async () => {
    state = await digest();
    const oversized = Buffer.from(JSON.stringify(cloudEvent(course, "yang-xue", { courseId: "x".repeat(1_100_000), score: 90 })));
    const big = await signed(learning, oversized, "application/cloudevents+json", "msg_fuzz_big");
    await judge("webhook 1.1 MB", big);
    expect([big.status, big.body.code]).toEqual([413, "body-too-large"]);
    const batch = Buffer.from(
      JSON.stringify(Array.from({ length: 101 }, () => cloudEvent(course, "yang-xue", { courseId: "b", score: 90 }))),
    );
    const many = await signed(learning, batch, "application/cloudevents-batch+json", "msg_fuzz_many");
    await judge("webhook batch of 101", many);
    expect([many.status, many.body.code]).toEqual([413, "batch-too-large"]);
    tried.webhook += 2;
  });
});

// ---------------------------------------------------------------------------------------------
// Every JSON route with a body

const bodyRoutes = Object.entries(routes as Record<string, RouteSpec>).filter(([, spec]) => spec.body !== undefined);

/** Valid bodies to mutate, where a valid body is known; other routes get generic and schema-shaped bodies. */
const validBodies: Record<string, Record<string, unknown>> = {
  award: { personId: "yang-xue", coins: 5, points: { capability: "tool-operation", amount: 3 }, reason: "fuzz" },
  deduct: { personId: "wu-min", coins: 1, reason: "fuzz" },
  reverse: { reason: "fuzz" },
  retractEvent: { reason: "fuzz" },
  putPerson: { name: "模糊", tier: "base", tierSince: "2024-01-01", orgUnitId: "store-east", managerId: "liu-yang" },
  putOrgUnit: { name: "模糊组", kind: "team", parentId: "retail-ops" },
  putSource: demoSources[learning],
  rotateSourceSecret: { overlapHours: 1 },
  putRule: demoRules["first-course"],
  dryRunRule: { events: [{ id: "d1", type: course, subject: "p1", data: { score: 90 } }] },
  putBadge: demoBadges["digital-learner"],
};

/** Every property name a schema mentions, at any depth: the fields worth giving wrong types. */
function fieldNames(schema: z.ZodMiniType): string[] {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node && typeof node === "object") {
      const properties = (node as { properties?: Record<string, unknown> }).properties;
      if (properties) for (const name of Object.keys(properties)) names.add(name);
      for (const value of Object.values(node)) walk(value);
    }
  };
  try {
    walk(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }));
  } catch {
    // A schema JSON Schema cannot express: generic bodies only.
  }
  return [...names];
}

/** Path parameters: ids of things that exist, of things that do not, and garbage. */
const paramValue = (name: string): fc.Arbitrary<string> => {
  const safe = fc.constantFrom(`fuzz-${name.toLowerCase()}`, "fuzz_1", "a".repeat(64));
  const garbage = fc.constantFrom("%ZZ", "%00", "a%2Fb", "..", "__proto__", "x".repeat(300), "%F0%9F%92%A5", "%FF");
  if (name === "entryId") return fc.oneof(fc.constantFrom(...entryIds, "person.yang-xue.999", "fund.x.1"), garbage);
  if (name === "eventId") return fc.oneof(fc.constantFrom(seededEventId, "no-such-event"), garbage);
  if (name === "sourceId") return fc.oneof(fc.constantFrom(learning, "fuzz-source"), garbage);
  return fc.oneof({ weight: 4, arbitrary: safe }, { weight: 1, arbitrary: garbage });
};

function routeRequest(id: string, spec: RouteSpec) {
  const names = [...spec.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const fields = [...new Set([...fieldNames(spec.body as z.ZodMiniType), "personId", "coins", "amount", "reason"])];
  const valid = validBodies[id];
  const mutated = valid
    ? fc
        .tuple(fc.constantFrom(...Object.keys(valid), ...fields, "unknownField"), nastyValue)
        .map(([field, value]) => JSON.stringify({ ...valid, [field]: value }))
    : fc.constant(JSON.stringify({}));
  const amounts = fc
    .record(
      {
        personId: fc.constantFrom("yang-xue", "wu-min", "cao-yi", "ghost"),
        coins: nastyNumber,
        points: fc.record({ capability: fc.oneof(fc.constantFrom(...capabilities), nastyString), amount: nastyNumber }),
        reason: fc.oneof(fc.constant("fuzz amounts"), nastyString),
      },
      { requiredKeys: ["personId"] },
    )
    .map((b) => JSON.stringify(b));
  const shaped = fc.dictionary(fc.constantFrom(...fields, "extra"), nastyValue, { maxKeys: 6 }).map((b) => JSON.stringify(b));
  const body = fc.oneof(
    { weight: 3, arbitrary: mutated },
    { weight: 2, arbitrary: fc.constant(JSON.stringify(valid ?? {})) },
    { weight: 2, arbitrary: shaped },
    { weight: 2, arbitrary: amounts },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.tuple(protoKeys, nastyValue).map(([key, inner]) => withKey(valid ?? {}, key, inner)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 10_000 }).map((n) => deep(n, '{"reason":', "}", '"x"')) },
    { weight: 1, arbitrary: fc.constantFrom("", "{", "null", "[]", '"x"', "1e999", '{"coins":1e999}', "{}".repeat(2)) },
  );
  const bytes = fc.oneof(
    { weight: 12, arbitrary: body.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: body.map((text) => Buffer.concat([Buffer.from(text.slice(0, 5)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(5))])),
    },
  );
  return fc
    .record({
      params: fc.tuple(...names.map(paramValue)),
      body: bytes,
      contentType: fc.oneof(
        { weight: 10, arbitrary: fc.constant("application/json") },
        { weight: 1, arbitrary: fc.constantFrom("text/plain", "application/json; charset=utf-8") },
      ),
      key: fc.oneof(
        { weight: 10, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom("short", "ключ-не-ascii-1234", "x".repeat(200)) },
      ),
    })
    .map((r) => ({ ...r, names }));
}

describe("fuzzing every JSON route with a body", () => {
  for (const [id, spec] of bodyRoutes) {
    it(`${spec.method} ${spec.path}: arbitrary and adversarial bodies are a 4xx (or a 2xx when valid), never a 5xx, refusals write nothing`, async () => {
      state = await digest();
      await fc.assert(
        fc.asyncProperty(routeRequest(id, spec), async ({ params, names, body, contentType, key }) => {
          tried.routes += 1;
          let url = spec.path;
          names.forEach((name, i) => {
            url = url.replace(`{${name}}`, params[i] as string);
          });
          const headers = { authorization: `Bearer ${admin.token}`, "content-type": contentType, "idempotency-key": key };
          await judge(`${spec.method} ${url} ${body.toString("utf8").slice(0, 200)}`, await send(spec.method, url, headers, body));
        }),
        { seed: 20_250_611, numRuns: 16, endOnFailure: true },
      );
    }, 30_000);
  }

  it("after all of the above, every ledger invariant holds", async () => {
    expect(await ledgerProblems()).toEqual([]);
    console.log(
      `fuzz: ${tried.webhook} webhook bodies, ${tried.routes} bodies over ${bodyRoutes.length} JSON routes; ${tried.accepted} accepted, ${tried.refused} refused (tables unchanged); answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
  });
});
