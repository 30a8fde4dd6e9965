import { describe, expect, it } from "vitest";
import { demoPeople } from "../../scripts/demo-data.ts";
import { loadDevIssuer } from "../../scripts/local/dev-issuer.ts";
import { as, call } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
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

describe("logs", () => {
  it("carry ids, never tokens, secrets or names, over a run that uses all of them", async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "info";
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const tokens: string[] = [];
    const used: string[] = [];
    try {
      const manager = await as("liu-yang", "manager");
      tokens.push(admin.token, manager.token);
      await manager.get("/people/yang-xue/balances");
      await manager.get("/people/gao-bo/balances");
      await admin.post("/awards", { personId: "yang-xue", coins: 2, reason: "日志测试" });
      await admin.post("/deductions", { personId: "yang-xue", coins: 999_999, reason: "too much" });
      const rotated = await admin.post("/admin/sources/tianma-oa/secrets", { overlapHours: 1 });
      used.push(rotated.body.secret, secrets["tianma-learning"] as string, secrets["tianma-oa"] as string);
      await deliver("tianma-learning", cloudEvent("com.tianma.learning.course.completed", "yang-xue", { courseId: "log", score: 90 }), {
        secret: secrets["tianma-learning"] as string,
      });
      await deliver("tianma-learning", cloudEvent("com.tianma.learning.course.completed", "yang-xue", { courseId: "log", score: 90 }), {
        secret: "whsec_AAAA",
      });
      await call("GET", "/people/yang-xue/balances", { headers: { authorization: "Bearer not.a.token" } });
    } finally {
      process.stdout.write = write;
      process.env.LOG_LEVEL = level;
    }
    const text = lines.join("");
    expect(lines.length).toBe(7); // one line per request that reaches a function (API Gateway refuses "not.a.token")
    expect(text).toContain('"callerId":"liu-yang"');
    for (const secret of [...tokens, ...used]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(-24));
    }
    for (const person of demoPeople) expect(text).not.toContain(person.name);
    expect(text).not.toContain("日志测试");
  });
});
