/**
 * When API Gateway answers itself (authorizer refusal, unknown route, payload quotas, throttling),
 * clients get its `{"message": …}` bodies, not Laurel's problem details: the local API and server
 * answer exactly so (docs/INTEGRATION.md, "Answers from API Gateway").
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/local/dynamo.ts";
import { Throttle } from "../../scripts/local/gateway.ts";
import { loadHandler } from "../../scripts/local/lambda.ts";
import { startLocalServer } from "../../scripts/local/server.ts";
import { as, call } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { storedChain } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";

const admin = await withDemoOrg();
const award = (coins = 1) => ({ personId: "xu-jing", coins, reason: "网关测试" });

describe("the functions behind the local API", () => {
  it("are the esbuild bundles in the bundled test project, and the sources otherwise", async () => {
    const bundles = inject("bundles");
    const expected = bundles
      ? await import(pathToFileURL(join(bundles, "public.mjs")).href)
      : await import("../../functions/api/public.ts");
    expect(await loadHandler("public")).toBe(expected.handler);
  });
});

describe("API Gateway's JWT authorizer", () => {
  it("refuses a token route without a valid token with 401 {message: Unauthorized} and a Bearer challenge, writing nothing", async () => {
    const expired = await issuer.sign("cao-yi", ["admin"], { expiresIn: "-1m" });
    for (const authorization of [undefined, "Bearer", `Bearer ${expired}`, `Basic ${admin.token}`]) {
      const response = await call("POST", "/awards", {
        body: award(),
        headers: { "idempotency-key": randomUUID(), ...(authorization ? { authorization } : {}) },
      });
      expect([response.status, response.body]).toEqual([401, { message: "Unauthorized" }]);
      expect(response.headers["content-type"]).toBe("application/json");
      expect(response.headers["www-authenticate"]).toBe("Bearer");
    }
    expect((await storedChain("xu-jing")).entries).toEqual([]);
  });

  it("names a token issued for another app client in AWS's own words", async () => {
    const other = await issuer.sign("cao-yi", ["admin"], { audience: "another-app" });
    const response = await call("GET", "/people/xu-jing/balances", { token: other });
    expect([response.status, response.body]).toEqual([401, { message: "Unauthorized" }]);
    expect(response.headers["www-authenticate"]).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"',
    );
  });

  it("lets public routes through without a token, to Laurel's own answers", async () => {
    const response = await call("POST", "/webhooks/tianma-learning", { body: {}, headers: { "content-type": "application/json" } });
    expect(response.headers["content-type"]).toBe("application/problem+json");
  });
});

describe("API Gateway's routes and quotas", () => {
  it("answers a path it has no route for with a 404 problem, from its $default route", async () => {
    for (const [method, url] of [
      ["GET", "/nowhere"],
      ["GET", "/people/xu-jing/balances/extra"],
    ] as const) {
      const response = await call(method, url, { token: admin.token });
      expect([response.status, response.headers["content-type"], response.body.code]).toEqual([
        404,
        "application/problem+json",
        "route-not-found",
      ]);
    }
  });

  it("answers a known path asked with another method 405, with the path's methods in Allow, writing nothing", async () => {
    for (const [method, url, allow] of [
      ["DELETE", "/awards", "POST"],
      ["POST", "/people/xu-jing/balances", "GET"],
      ["DELETE", "/admin/rules/some-rule", "GET, PUT"],
    ] as const) {
      const response = await call(method, url, { token: admin.token });
      expect([response.status, response.headers.allow, response.body.code]).toEqual([405, allow, "method-not-allowed"]);
    }
  });

  it("refuses an event over Lambda's 6 MB payload quota with 413 {message: Request Too Long}, writing nothing", async () => {
    const response = await call("POST", "/awards", {
      token: admin.token,
      body: { ...award(), reason: "x".repeat(6_300_000) },
      headers: { "idempotency-key": randomUUID() },
    });
    expect([response.status, response.body]).toEqual([413, { message: "Request Too Long" }]);
    expect((await storedChain("xu-jing")).entries).toEqual([]);
  });

  it("leaves bodies under the quota to Laurel, which refuses what is over its own limit with problem details", async () => {
    const response = await call("POST", "/awards", {
      token: admin.token,
      body: { ...award(), reason: "x".repeat(300_000) },
      headers: { "idempotency-key": randomUUID() },
    });
    expect([response.status, response.headers["content-type"], response.body.code]).toEqual([
      413,
      "application/problem+json",
      "body-too-large",
    ]);
  });
});

describe("API Gateway's throttling", () => {
  it("admits a burst at once, then one request per 1/rate seconds, per route", () => {
    const throttle = new Throttle(() => ({ rate: 2, burst: 2 }));
    expect([0, 0, 0].map((at) => throttle.admits("GET /a", at))).toEqual([true, true, false]);
    expect(throttle.admits("GET /b", 0)).toBe(true);
    expect([400, 500, 600].map((at) => throttle.admits("GET /a", at))).toEqual([false, true, false]);
    expect([5_000, 5_000, 5_000].map((at) => throttle.admits("GET /a", at))).toEqual([true, true, false]);
  });
});

describe("the local server", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await startLocalServer(0, "127.0.0.1", { throttle: { api: { rate: 0.01, burst: 3 }, writes: { rate: 0.01, burst: 1 } } });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("throttles each route as the stage does: 429 {message: Too Many Requests} once its burst is spent, other routes unaffected", async () => {
    const manager = await as("liu-yang", "manager");
    const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${manager.token}` } });
    const statuses = [];
    for (let n = 0; n < 4; n++) statuses.push((await get("/people/liu-yang/balances")).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await get("/people/liu-yang/balances");
    expect([refused.status, refused.headers.get("content-type"), await refused.json()]).toEqual([
      429,
      "application/json",
      { message: "Too Many Requests" },
    ]);
    expect((await get("/people/liu-yang/ledger")).status).toBe(200);
    const post = () =>
      fetch(`${base}/awards`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "idempotency-key": randomUUID() },
        body: JSON.stringify(award()),
      });
    expect([(await post()).status, (await post()).status]).toEqual([201, 429]);
    expect((await storedChain("xu-jing")).entries).toHaveLength(1);
  });

  it("refuses a body over the HTTP API's 10 MB quota before any function sees it", async () => {
    const response = await fetch(`${base}/webhooks/tianma-learning`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect([response.status, await response.text()]).toEqual([413, "HTTP content length exceeded 10485760 bytes."]);
  });

  it("serves without throttling unless a stage's limits are given", async () => {
    const port = await freePort();
    const open = await startLocalServer(port);
    try {
      const manager = await as("liu-yang", "manager");
      const statuses = await Promise.all(
        Array.from({ length: 12 }, () =>
          fetch(`http://127.0.0.1:${port}/people/liu-yang/balances`, { headers: { authorization: `Bearer ${manager.token}` } }).then(
            (r) => r.status,
          ),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([200]));
    } finally {
      open.close();
    }
  });

  it("sends a compressed answer's bytes with its Content-Encoding, as API Gateway does, and plain to a client that accepts none", async () => {
    for (let i = 1; i <= 10; i++)
      expect((await admin.post("/awards", { personId: "hu-yan", coins: i, reason: `第 ${i} 门课` })).status).toBe(201);
    const port = await freePort();
    const open = await startLocalServer(port);
    try {
      const get = (acceptEncoding: string) =>
        fetch(`http://127.0.0.1:${port}/people/hu-yan/ledger?limit=10`, {
          headers: { authorization: `Bearer ${admin.token}`, "accept-encoding": acceptEncoding },
        });
      const [brotli, plain] = [await get("gzip, br"), await get("identity")];
      expect([brotli.status, brotli.headers.get("content-encoding"), plain.headers.get("content-encoding")]).toEqual([200, "br", null]);
      const history = (await plain.json()) as { entries: unknown[] };
      expect(history.entries).toHaveLength(10);
      expect(await brotli.json()).toEqual(history);
    } finally {
      open.close();
    }
  });
});
