/**
 * A company's own OIDC issuer whose tokens name its subjects, not Laurel's people: the API finds
 * the person whose OIDC identity is the token's `sub` in the directory (DynamoDB Local), with the
 * roles the directory holds (ROLES_FROM=directory), its keys found through the issuer's discovery
 * document (a fake issuer speaking the protocol); `GET /me` tells the page who it signed in.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoDefinitionStore } from "../../functions/dynamo/definition-store.ts";
import { DynamoDirectory } from "../../functions/dynamo/directory-store.ts";
import { authConfigFromEnv, authenticate } from "../../functions/http/auth.ts";
import { as } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { withDemoOrg } from "../support/org.ts";
import { startFakeOidc } from "./oidc-fake.ts";

const oidc = await startFakeOidc();
afterAll(() => oidc.close());
const admin = await withDemoOrg();

async function withOidcIdentity(personId: string, subject: string): Promise<void> {
  const person = (await admin.get(`/admin/people/${personId}`)).body;
  expect((await admin.put(`/admin/people/${personId}`, { ...person, identities: { oidc: subject }, roles: ["manager"] })).status).toBe(200);
}
await withOidcIdentity("liu-yang", "00u-liuyang");
await withOidcIdentity("he-ying", "00u-heying");
expect((await admin.post("/admin/people/he-ying/deactivation", {})).status).toBe(200);

const db = createDocumentClient("ledger");
const directory = new DynamoDirectory(db, tableNames, new DynamoDefinitionStore(db, tableNames.state));
const config = authConfigFromEnv(
  { JWT_ISSUER: oidc.issuer, JWT_AUDIENCE: oidc.clientId, OIDC_DISCOVERY: "true", ROLES_FROM: "directory" },
  directory,
);
const signedIn = async (subject: string, claims?: Record<string, unknown>) =>
  authenticate(`Bearer ${await oidc.idToken(subject, claims)}`, config);

describe("a company's OIDC issuer, people and roles from the directory", () => {
  it("signs in the person whose OIDC identity is the token's subject, with the directory's roles and not the token's", async () => {
    expect(await signedIn("00u-liuyang", { "cognito:groups": ["admin"], roles: ["admin"] })).toEqual({
      personId: "liu-yang",
      roles: ["manager"],
    });
    // The keys came from the issuer's discovery document, once.
    expect(oidc.calls.filter((c) => c === "GET /.well-known/openid-configuration")).toHaveLength(1);
  });

  it("refuses a subject nobody in the directory has, and a person who has left, each saying why", async () => {
    await expect(signedIn("00u-stranger")).rejects.toThrow("not a person in the directory");
    await expect(signedIn("liu-yang")).rejects.toThrow("not a person in the directory");
    await expect(signedIn("00u-heying")).rejects.toThrow("has left the company");
  });

  it("refuses the issuer's token for another client", async () => {
    const other = authConfigFromEnv(
      { JWT_ISSUER: oidc.issuer, JWT_AUDIENCE: "someone-else", OIDC_DISCOVERY: "true", ROLES_FROM: "directory" },
      directory,
    );
    await expect(authenticate(`Bearer ${await oidc.idToken("00u-liuyang")}`, other)).rejects.toThrow("not issued for this API");
  });
});

describe("GET /me", () => {
  it("tells the page who its token signs in, with the roles the API grants and their name and unit", async () => {
    const me = await (await as("liu-yang", "manager")).get("/me");
    expect(me.status).toBe(200);
    const person = (await admin.get("/admin/people/liu-yang")).body;
    expect(me.body).toEqual({ personId: "liu-yang", roles: ["manager"], name: person.name, orgUnitId: person.orgUnitId });
  });

  it("answers a token for someone the directory does not hold, without a name", async () => {
    expect((await (await as("nobody-here", "manager")).get("/me")).body).toEqual({ personId: "nobody-here", roles: ["manager"] });
  });
});
