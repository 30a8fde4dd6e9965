/**
 * SCIM 2.0 conformance, as an HR system provisions Laurel: the requests are RFC 7644's examples
 * (§3.3 create, §3.4.2.2 filters, §3.5.1 replace, §3.5.2 PatchOp, §3.6 delete, §3.12 errors,
 * §3.14 ETags) with Laurel's attributes; after each change, the access rules follow at once.
 */
import { describe, expect, it } from "vitest";
import { periodKey } from "../../domain/kernel/periods.ts";
import { as, call } from "../support/api.ts";
import { withDemoOrg } from "../support/org.ts";

const admin = await withDemoOrg();
const hr = await as("deng-hua", "hr");
const issued = await admin.post("/admin/provisioners/hr-system/credentials", {});
const token = issued.body.token as string;

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const laurel = "urn:laurel:params:scim:schemas:extension:laurel:2.0:User";
const laurelGroup = "urn:laurel:params:scim:schemas:extension:laurel:2.0:Group";
const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const scim = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, bearer = token) =>
  call(method, `/scim/v2${path}`, {
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/scim+json", ...headers },
    ...(body === undefined ? {} : { body }),
  });

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise, laurel],
  userName,
  externalId: `HR-${userName}`,
  name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" },
  displayName: "Babs Jensen",
  emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
  [enterprise]: { department: "store-east", manager: { value: "liu-yang" } },
  [laurel]: { tier: "base", tierSince: "2026-03-01" },
  ...extra,
});
const patch = (...Operations: unknown[]) => ({ schemas: [patchOp], Operations });
const reads = async (reader: string, personId: string) => (await (await as(reader, "manager")).get(`/people/${personId}/balances`)).status;

describe("SCIM authentication", () => {
  it("takes only a provisioning credential, which works for SCIM only, two at a time while rotating", async () => {
    expect(issued.status).toBe(201);
    const anonymous = await call("GET", "/scim/v2/Users");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" });
    expect((await scim("GET", "/Users", undefined, {}, admin.token)).status).toBe(401);
    expect((await call("GET", "/admin/people/liu-yang", { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    const second = (await admin.post("/admin/provisioners/rotating/credentials", {})).body.token;
    const third = (await admin.post("/admin/provisioners/rotating/credentials", {})).body.token;
    expect((await scim("GET", "/ServiceProviderConfig", undefined, {}, second)).status).toBe(200);
    expect((await scim("GET", "/ServiceProviderConfig", undefined, {}, third)).status).toBe(200);
    await admin.post("/admin/provisioners/rotating/credentials", {});
    expect((await scim("GET", "/ServiceProviderConfig", undefined, {}, second)).status).toBe(401);
    expect((await scim("GET", "/ServiceProviderConfig", undefined, {}, third)).status).toBe(200);
    expect((await hr.post("/admin/provisioners/rotating/credentials", {})).status).toBe(403);
  });
});

describe("SCIM discovery", () => {
  it("describes the service provider, its resource types and schemas", async () => {
    const config = await scim("GET", "/ServiceProviderConfig");
    expect(config.headers["content-type"]).toBe("application/scim+json");
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
      bulk: { supported: false },
    });
    const types = (await scim("GET", "/ResourceTypes")).body.Resources.map((t: { id: string }) => t.id);
    expect(types).toEqual(["User", "Group"]);
    const ids = (await scim("GET", "/Schemas")).body.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([enterprise, laurel, laurelGroup, "urn:ietf:params:scim:schemas:core:2.0:User"]));
  });
});

describe("SCIM Users", () => {
  it("creates a person (RFC 7644 §3.3) whom their unit's lead reads at once", async () => {
    const created = await scim("POST", "/Users", user("bjensen"));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.etag).toBe('W/"1"');
    expect(created.headers.location).toBe("/scim/v2/Users/bjensen");
    expect(created.body).toMatchObject({
      id: "bjensen",
      externalId: "HR-bjensen",
      active: true,
      meta: { resourceType: "User", version: 'W/"1"' },
    });
    expect((await admin.get("/admin/people/bjensen")).body).toMatchObject({
      name: "Babs Jensen",
      orgUnitId: "store-east",
      externalId: "HR-bjensen",
    });
    expect(await reads("liu-yang", "bjensen")).toBe(200);
    const again = await scim("POST", "/Users", user("bjensen"));
    expect([again.status, again.body.scimType]).toEqual([409, "uniqueness"]);
  });

  it("lists with the filters HR systems use, a page at a time (§3.4.2)", async () => {
    const since = new Date().toISOString();
    await scim("POST", "/Users", user("filter-a"));
    const byName = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "filter-a"')}`);
    expect(byName.body).toMatchObject({ totalResults: 1, Resources: [{ id: "filter-a" }] });
    const byExternal = await scim("GET", `/Users?filter=${encodeURIComponent('externalId eq "HR-filter-a"')}`);
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual(["filter-a"]);
    const recent = await scim("GET", `/Users?filter=${encodeURIComponent(`meta.lastModified gt "${since}"`)}`);
    expect(recent.body.Resources.map((r: { id: string }) => r.id)).toContain("filter-a");
    expect(recent.body.Resources.map((r: { id: string }) => r.id)).not.toContain("chen-jian");
    const everyone = (await scim("GET", "/Users")).body.totalResults;
    const second = await scim("GET", "/Users?startIndex=3&count=2");
    expect(second.body).toMatchObject({ totalResults: everyone, startIndex: 3, itemsPerPage: 2 });
    const bad = await scim("GET", `/Users?filter=${encodeURIComponent("userName eq")}`);
    expect([bad.status, bad.body.scimType]).toEqual([400, "invalidFilter"]);
  });

  it("replaces with an ETag (§3.14): a stale If-Match is 412 and changes nothing", async () => {
    await scim("POST", "/Users", user("etag-u"));
    const stale = await scim("PUT", "/Users/etag-u", user("etag-u", { displayName: "Stale" }), { "if-match": 'W/"7"' });
    expect([stale.status, stale.body.scimType]).toEqual([412, "invalidVers"]);
    expect((await admin.get("/admin/people/etag-u")).body.name).toBe("Babs Jensen");
    const fresh = await scim("PUT", "/Users/etag-u", user("etag-u", { displayName: "Barbara" }), { "if-match": 'W/"1"' });
    expect([fresh.status, fresh.headers.etag, fresh.body.displayName]).toEqual([200, 'W/"2"', "Barbara"]);
  });

  it("moves a person by PATCH (§3.5.2): the new lead reads them from the next request, the old one no longer", async () => {
    await scim("POST", "/Users", user("mover"));
    expect([await reads("liu-yang", "mover"), await reads("xie-kai", "mover")]).toEqual([200, 403]);
    const moved = await scim(
      "PATCH",
      "/Users/mover",
      patch(
        { op: "replace", path: `${enterprise}:department`, value: "fleet" },
        { op: "replace", path: `${enterprise}:manager`, value: { value: "xie-kai" } },
      ),
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body[enterprise]).toMatchObject({ department: "fleet", manager: { value: "xie-kai" } });
    expect([await reads("liu-yang", "mover"), await reads("xie-kai", "mover")]).toEqual([403, 200]);
  });

  it("deactivates (PATCH active false, or DELETE) and reactivates; the history is kept", async () => {
    await scim("POST", "/Users", user("leaver"));
    await admin.post("/awards", { personId: "leaver", coins: 30, reason: "入职礼" });
    const off = await scim("PATCH", "/Users/leaver", patch({ op: "replace", path: "active", value: false }));
    expect(off.body.active).toBe(false);
    expect((await admin.post("/awards", { personId: "leaver", coins: 1, reason: "x" })).body.code).toBe("person-inactive");
    expect(await reads("liu-yang", "leaver")).toBe(403);
    const on = await scim("PATCH", "/Users/leaver", patch({ op: "replace", value: { active: true } }));
    expect(on.body.active).toBe(true);
    expect(await reads("liu-yang", "leaver")).toBe(200);
    const deleted = await scim("DELETE", "/Users/leaver");
    expect(deleted.status).toBe(204);
    expect((await scim("GET", "/Users/leaver")).body.active).toBe(false);
    expect((await hr.get("/people/leaver/balances")).body.coins).toBe(30);
  });

  it("refuses malformed requests with SCIM errors (§3.12) and writes nothing", async () => {
    const notJson = await scim("POST", "/Users", "{not json");
    expect([notJson.status, notJson.body.scimType]).toEqual([400, "invalidSyntax"]);
    const noDepartment = await scim("POST", "/Users", { ...user("no-dept"), [enterprise]: {} });
    expect([noDepartment.status, noDepartment.body.scimType]).toEqual([400, "invalidValue"]);
    const unknownUnit = await scim("POST", "/Users", user("nowhere", { [enterprise]: { department: "nowhere" } }));
    expect(unknownUnit.status).toBe(400);
    expect((await scim("GET", "/Users/no-dept")).status).toBe(404);
    expect((await scim("GET", "/Users/nowhere")).status).toBe(404);
    const badOp = await scim("PATCH", "/Users/bjensen", patch({ op: "explode", path: "active" }));
    expect(badOp.status).toBe(400);
    const rename = await scim("PUT", "/Users/bjensen", user("someone-else"));
    expect([rename.status, rename.body.scimType]).toEqual([400, "mutability"]);
    expect((await scim("GET", "/Users/bjensen")).body.meta.version).toBe('W/"1"');
  });
});

describe("SCIM Groups (org units)", () => {
  const group = (displayName: string, parent: string, extra: Record<string, unknown> = {}) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", laurelGroup],
    displayName,
    [laurelGroup]: { kind: "team", parent: { value: parent }, ...extra },
  });

  it("creates a unit, moves it under another, gives it a lead who then reads its people", async () => {
    const created = await scim("POST", "/Groups", { id: "live-ops", ...group("直播运营组", "retail-ops") });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await scim("POST", "/Users", user("streamer", { [enterprise]: { department: "live-ops" } }));
    expect((await scim("GET", "/Groups/live-ops")).body.members).toEqual([expect.objectContaining({ value: "streamer" })]);
    expect(await reads("wang-fang", "streamer")).toBe(200);
    const moved = await scim(
      "PATCH",
      "/Groups/live-ops",
      patch({ op: "replace", path: `${laurelGroup}:parent`, value: { value: "retail-digital" } }),
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect([await reads("wang-fang", "streamer"), await reads("zhao-lei", "streamer")]).toEqual([403, 200]);
    await scim("PUT", "/Groups/live-ops", group("直播运营组", "retail-digital", { lead: { value: "he-ying" } }));
    expect(await reads("he-ying", "streamer")).toBe(200);
    const listed = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "直播运营组"')}`);
    expect(listed.body.Resources.map((g: { id: string }) => g.id)).toEqual(["live-ops"]);
  });

  it("refuses a cycle and orphaning a unit, and removes an empty one", async () => {
    const cycle = await scim("PUT", "/Groups/retail-ops", {
      ...group("零售运营部", "store-east"),
      [laurelGroup]: { kind: "department", parent: { value: "store-east" } },
    });
    expect([cycle.status, cycle.body.scimType]).toEqual([400, "invalidValue"]);
    expect((await admin.get("/org-units")).body.orgUnits).toContainEqual(
      expect.objectContaining({ orgUnitId: "retail-ops", parentId: "tianma-retail" }),
    );
    const orphaning = await scim("DELETE", "/Groups/retail-ops");
    expect(orphaning.status).toBe(409);
    await scim("POST", "/Groups", { id: "short-lived", ...group("临时组", "fleet") });
    expect((await scim("DELETE", "/Groups/short-lived")).status).toBe(204);
    expect((await scim("GET", "/Groups/short-lived")).status).toBe(404);
  });

  it("records every use in the audit trail under the provisioning client", async () => {
    const day = periodKey(new Date(), "day");
    const records = (await admin.get(`/admin/audit?day=${day}&limit=500`)).body.records as { actor: string; action: string }[];
    const ours = records.filter((r) => r.actor.startsWith("provisioner:hr-system/"));
    expect(ours.map((r) => r.action)).toEqual(
      expect.arrayContaining(["person.created", "person.transferred", "person.deactivated", "scim.read.users", "org-unit.put"]),
    );
  });
});
