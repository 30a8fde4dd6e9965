import { describe, expect, it } from "vitest";
import { loadDevIssuer } from "../../scripts/local/dev-issuer.ts";
import { as, call } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";

await withDemoDefinitions();
const balances = (token: string) => call("GET", "/people/yang-xue/balances", { headers: { authorization: `Bearer ${token}` } });
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("broken authentication", () => {
  it("refuses alg:none, a token not valid yet, one signed by another key (API Gateway), and one naming no valid person (Laurel)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: "yang-xue",
      "cognito:groups": ["admin"],
      iss: "laurel-dev-issuer",
      aud: "laurel-local",
      iat: now,
      exp: now + 600,
    };
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
    const notYet = await issuer.sign("yang-xue", ["manager"], { notBefore: "10m" });
    const otherKey = await (await loadDevIssuer()).sign("yang-xue", ["admin"]);
    const badSubject = await issuer.sign("../etc/passwd", ["admin"]);
    for (const token of [unsigned, notYet, otherKey]) {
      const response = await balances(token);
      expect([response.status, response.body]).toEqual([401, { message: "Unauthorized" }]);
    }
    // A token the authorizer accepts still has to name a person: the function checks it again.
    const response = await balances(badSubject);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: "unauthenticated", status: 401 });
  });

  it("a role the token does not carry is not granted by the directory", async () => {
    const manager = await as("cao-yi", "manager");
    expect((await manager.post("/awards", { personId: "yang-xue", coins: 1, reason: "x" })).status).toBe(403);
  });
});
