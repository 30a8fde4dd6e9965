/**
 * HTTP as independent clients expect it: a 401 says how to authenticate (RFC 9110 §11.6.1,
 * RFC 6750 §3), a problem's `type` leads to a page explaining it, and the page exists for every
 * code, and two admins editing one definition at once cannot silently undo each other (ETag,
 * If-Match, 412).
 */
import { describe, expect, it } from "vitest";
import { problemCatalogue } from "../../functions/http/problem-pages.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as, call } from "../support/api.ts";
import { withDemoOrg } from "../support/org.ts";

const admin = await withDemoOrg();

describe("a 401", () => {
  it("to a webhook with a bad signature names the signature scheme in WWW-Authenticate", async () => {
    const response = await call("POST", "/webhooks/tianma-learning", {
      body: JSON.stringify({ specversion: "1.0", id: "e1", source: "x", type: "t" }),
      headers: {
        "content-type": "application/cloudevents+json",
        "webhook-id": "m1",
        "webhook-timestamp": "1",
        "webhook-signature": "v1,AAAA",
      },
    });
    expect([response.status, response.headers["www-authenticate"], response.body.code]).toEqual([
      401,
      'Webhook-Signature realm="laurel"',
      "unauthenticated",
    ]);
  });
});

describe("a problem's type", () => {
  it("leads to a page that explains the code in Chinese and English", async () => {
    const refused = await call("POST", "/people/xu-jing/balances", { token: admin.token });
    expect(refused.body.type).toBe("/problems/method-not-allowed");
    const page = await dispatch({ method: "GET", url: refused.body.type });
    expect([page.statusCode, page.headers?.["content-type"]]).toEqual([200, "text/html; charset=utf-8"]);
    expect(page.body).toContain(problemCatalogue["method-not-allowed"].zh);
    expect(page.body).toContain(problemCatalogue["method-not-allowed"].en);
  });

  it("is a page for every code, and a 404 problem for a code that does not exist", async () => {
    for (const code of Object.keys(problemCatalogue)) {
      expect((await dispatch({ method: "GET", url: `/problems/${code}` })).statusCode, code).toBe(200);
    }
    const unknown = await call("GET", "/problems/no-such-code");
    expect([unknown.status, unknown.body.code]).toEqual([404, "problem-not-found"]);
  });
});

describe("two admins editing one definition", () => {
  const index = (weight: number) => ({
    name: { zh: "先锋指数", en: "Pioneer index" },
    measures: [
      { measure: "points", weight },
      { measure: "badgeLevels", weight: 1 - weight },
    ],
  });

  it("each read carries the version as an ETag; a change from an older version is refused 412 and changes nothing", async () => {
    const other = await as("chen-jian", "admin");
    const created = await call("PUT", "/admin/indices/pioneer", { token: admin.token, body: index(0.5) });
    expect([created.status, created.headers.etag]).toEqual([200, '"1"']);
    const [mine, theirs] = [await call("GET", "/admin/indices/pioneer", { token: admin.token }), await other.get("/admin/indices/pioneer")];
    expect([mine.headers.etag, theirs.headers.etag]).toEqual(['"1"', '"1"']);
    const first = await call("PUT", "/admin/indices/pioneer", { token: other.token, body: index(0.6), headers: { "if-match": '"1"' } });
    expect([first.status, first.headers.etag]).toEqual([200, '"2"']);
    const lost = await call("PUT", "/admin/indices/pioneer", {
      token: admin.token,
      body: index(0.7),
      headers: { "if-match": mine.headers.etag ?? "" },
    });
    expect([lost.status, lost.body.code, lost.body.version]).toEqual([412, "version-mismatch", 2]);
    expect((await other.get("/admin/indices/pioneer")).body).toMatchObject({ version: 2, definition: index(0.6) });
  });

  const named = (zh: string) => ({ zh, en: zh });
  /** One definition of each kind, as an admin sends it, and a change of it. */
  const kinds = {
    rules: [
      { name: named("规则"), eventType: "com.example.shape", trigger: { kind: "each" }, award: { coins: 1 } },
      { name: named("规则二"), eventType: "com.example.shape", trigger: { kind: "each" }, award: { coins: 2 } },
    ],
    badges: [
      {
        name: named("徽章"),
        description: named("徽章"),
        imageUrl: "https://laurel.example.com/badges/shape.svg",
        capability: "tool-operation",
        levels: [{ level: 1, name: named("一级"), criteria: [{ kind: "points", atLeast: 10 }] }],
      },
      {
        name: named("徽章二"),
        description: named("徽章"),
        imageUrl: "https://laurel.example.com/badges/shape.svg",
        capability: "tool-operation",
        levels: [{ level: 1, name: named("一级"), criteria: [{ kind: "points", atLeast: 20 }] }],
      },
    ],
    gates: [
      { name: named("门槛"), tier: "base", targetGrade: "中层", criteria: [{ kind: "points", atLeast: 1 }] },
      { name: named("门槛二"), tier: "base", targetGrade: "中层", criteria: [{ kind: "points", atLeast: 2 }] },
    ],
    sources: [
      { name: "Shape", eventTypes: [{ type: "com.example.shape" }], maxEventAgeDays: 30 },
      { name: "Shape two", eventTypes: [{ type: "com.example.shape" }], maxEventAgeDays: 30 },
    ],
    rewards: [
      { name: named("水杯"), price: 10, stock: 5, active: true },
      { name: named("水杯"), price: 12, stock: 5, active: true },
    ],
    indices: [index(0.4), index(0.3)],
  } satisfies Record<string, [object, object]>;

  it.each(Object.entries(kinds))(
    "%s answer {id, version, definition, updatedAt, updatedBy} with an ETag; a stale If-Match is 412",
    async (kind, [first, second]: [object, object]) => {
      const path = `/admin/${kind}/shape-${kind}`;
      const other = await as("chen-jian", "admin");
      const created = await admin.put(path, first);
      expect([created.status, created.headers.etag]).toEqual([200, '"1"']);
      expect(created.body.definition).toMatchObject(first);
      const read = await admin.get(path);
      expect(read.headers.etag).toBe('"1"');
      expect(read.body).toMatchObject({ id: `shape-${kind}`, version: 1, definition: first, updatedBy: "cao-yi" });
      expect(Date.parse(read.body.updatedAt)).not.toBeNaN();
      const changed = await call("PUT", path, { token: other.token, body: second, headers: { "if-match": '"1"' } });
      expect([changed.status, changed.headers.etag, changed.body.updatedBy]).toEqual([200, '"2"', "chen-jian"]);
      const stale = await call("PUT", path, { token: admin.token, body: first, headers: { "if-match": read.headers.etag ?? "" } });
      expect([stale.status, stale.body.code, stale.body.version]).toEqual([412, "version-mismatch", 2]);
      expect((await admin.get(path)).body).toMatchObject({ version: 2, definition: second, updatedBy: "chen-jian" });
    },
  );

  it("a source's secret is in the answer that creates it only, never in a read", async () => {
    const created = await admin.put("/admin/sources/shape-secret", kinds.sources[0]);
    expect(created.body.secret).toMatch(/^whsec_/);
    const read = await admin.get("/admin/sources/shape-secret");
    expect(read.body.secrets).toHaveLength(1);
    expect(JSON.stringify(read.body)).not.toMatch(/whsec_|sealed/);
    expect(JSON.stringify((await admin.put("/admin/sources/shape-secret", kinds.sources[1])).body)).not.toMatch(/whsec_|sealed/);
  });
});
