import { describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoDefinitionStore } from "../../functions/dynamo/definition-store.ts";
import { DynamoDirectory } from "../../functions/dynamo/directory-store.ts";
import { routes } from "../../functions/http/routes.ts";
import { freePort } from "../../scripts/local/dynamo.ts";
import { startLocalServer } from "../../scripts/local/server.ts";
import { as, call } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoOrg } from "../support/org.ts";

const admin = await withDemoOrg();

describe("the org directory", () => {
  it("lists the demo tree to any signed-in user", async () => {
    const response = await (await as("yang-xue", "manager")).get("/org-units");
    expect(response.status).toBe(200);
    expect(response.body.orgUnits).toHaveLength(12);
    expect(response.body.orgUnits).toContainEqual(
      expect.objectContaining({ orgUnitId: "store-east", parentId: "retail-ops", leadId: "liu-yang" }),
    );
  });

  it("refuses an org unit under a parent that does not exist", async () => {
    const response = await admin.put("/admin/org-units/lost", { name: "迷路组", kind: "team", parentId: "nowhere" });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("org-unit-parent-unknown");
  });

  it("refuses a move that would make a cycle", async () => {
    const response = await admin.put("/admin/org-units/tianma-retail", { name: "天马零售", kind: "subsidiary", parentId: "store-east" });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("org-unit-cycle");
  });

  it("refuses a root that is not a group, and a lead who is not in the directory", async () => {
    expect((await admin.put("/admin/org-units/floating", { name: "x", kind: "team" })).body.code).toBe("org-unit-without-parent");
    expect(
      (await admin.put("/admin/org-units/fleet", { name: "车队管理组", kind: "team", parentId: "log-transport", leadId: "ghost" })).body
        .code,
    ).toBe("lead-unknown");
  });

  it("refuses a person in an unknown org unit, and reads a person back", async () => {
    const refused = await admin.put("/admin/people/new-person", {
      name: "新人",
      tier: "base",
      tierSince: "2026-01-01",
      orgUnitId: "nowhere",
    });
    expect([refused.status, refused.body.code]).toEqual([422, "org-unit-unknown"]);
    const created = await admin.put("/admin/people/new-person", {
      name: "新人",
      tier: "base",
      tierSince: "2026-01-01",
      orgUnitId: "fleet",
    });
    expect(created.status).toBe(200);
    expect((await admin.get("/admin/people/new-person")).body).toMatchObject({ personId: "new-person", name: "新人", orgUnitId: "fleet" });
  });

  it("takes back a person as it answers them, and refuses a write from a version that moved on (412), changing nothing", async () => {
    const read = await admin.get("/admin/people/xu-jing");
    expect(read.headers.etag).toBe(`"${read.body.version}"`);
    const renamed = await admin.put("/admin/people/xu-jing", { ...read.body, name: "许静（数字化）" });
    expect([renamed.status, renamed.body.name, renamed.body.version]).toEqual([200, "许静（数字化）", read.body.version + 1]);
    // A second admin still holding the first read, by its version and by If-Match:
    const stale = await admin.put("/admin/people/xu-jing", { ...read.body, name: "许静" });
    expect([stale.status, stale.body.code]).toEqual([412, "version-mismatch"]);
    const staleHeader = await admin.put(
      "/admin/people/xu-jing",
      { ...renamed.body, name: "许静" },
      { "if-match": String(read.headers.etag) },
    );
    expect([staleHeader.status, staleHeader.body.code]).toEqual([412, "version-mismatch"]);
    const elsewhere = await admin.put("/admin/people/xu-jing", { ...renamed.body, personId: "someone-else" });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([400, "validation-failed"]);
    expect((await admin.get("/admin/people/xu-jing")).body).toMatchObject({ name: "许静（数字化）", version: read.body.version + 1 });
  });

  it("only admins change the directory", async () => {
    const hr = await as("deng-hua", "hr");
    expect((await hr.put("/admin/people/yang-xue", { name: "x", tier: "base", tierSince: "2026-01-01", orgUnitId: "fleet" })).status).toBe(
      403,
    );
  });
});

describe("a person's identities at DingTalk, WeCom and the OIDC issuer", () => {
  const directory = new DynamoDirectory(
    createDocumentClient(),
    tableNames,
    new DynamoDefinitionStore(createDocumentClient(), tableNames.state),
  );
  const person = (identities: Record<string, string>) => ({
    name: "钉钉新人",
    tier: "base",
    tierSince: "2026-01-01",
    orgUnitId: "fleet",
    identities,
  });

  it("finds the person by the id a provider knows them by, one person per id", async () => {
    expect((await admin.put("/admin/people/dt-one", person({ dingtalk: "dt-0001", wecom: "wx-0001" }))).status).toBe(200);
    expect((await directory.personByIdentity("dingtalk", "dt-0001"))?.personId).toBe("dt-one");
    expect((await directory.personByIdentity("wecom", "wx-0001"))?.personId).toBe("dt-one");
    expect(await directory.personByIdentity("wecom", "dt-0001")).toBeUndefined();

    const taken = await admin.put("/admin/people/dt-two", person({ dingtalk: "dt-0001" }));
    expect([taken.status, taken.body.code]).toEqual([409, "identity-taken"]);
    expect((await admin.get("/admin/people/dt-two")).status).toBe(404);
  });

  it("releases an id the person gave up, so another can take it", async () => {
    await admin.put("/admin/people/dt-three", person({ dingtalk: "dt-0003" }));
    await admin.put("/admin/people/dt-three", person({ dingtalk: "dt-0033" }));
    expect(await directory.personByIdentity("dingtalk", "dt-0003")).toBeUndefined();
    expect((await directory.personByIdentity("dingtalk", "dt-0033"))?.personId).toBe("dt-three");
    expect((await admin.put("/admin/people/dt-four", person({ dingtalk: "dt-0003" }))).status).toBe(200);
    expect((await directory.personByIdentity("dingtalk", "dt-0003"))?.personId).toBe("dt-four");
  });

  it("refuses a provider Laurel does not know", async () => {
    const refused = await admin.put("/admin/people/dt-five", person({ feishu: "fs-1" }));
    expect([refused.status, refused.body.code]).toEqual([400, "validation-failed"]);
    expect((await admin.get("/admin/people/dt-five")).status).toBe(404);
  });
});

describe("public routes", () => {
  it("health answers without a token", async () => {
    expect(await call("GET", "/health")).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("gives every method and path to one route only", () => {
    const taken = Object.entries(routes).map(([id, spec]) => [`${spec.method} ${spec.path}`, id] as const);
    const twice = taken.filter(([key], i) => taken.findIndex(([other]) => other === key) !== i);
    expect(twice).toEqual([]);
  });

  it("the OpenAPI document describes every route, with its request schema", async () => {
    const { status, body } = await call("GET", "/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    for (const spec of Object.values(routes)) expect(body.paths[spec.path][spec.method.toLowerCase()]).toBeDefined();
    const award = body.paths["/awards"].post;
    expect(award.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AwardRequest" });
    expect(body.components.schemas.AwardRequest.properties.coins).toMatchObject({ type: "integer" });
    expect(award.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }));
  });
});

describe("the local server", () => {
  it("serves the handlers over real HTTP", async () => {
    const port = await freePort();
    const server = await startLocalServer(port);
    try {
      const me = await as("liu-yang", "manager");
      const response = await fetch(`http://127.0.0.1:${port}/people/liu-yang/balances`, {
        headers: { authorization: `Bearer ${me.token}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-correlation-id")).toBeTruthy();
      expect(await response.json()).toMatchObject({ personId: "liu-yang", name: "刘洋" });
    } finally {
      server.close();
    }
  });
});
