/**
 * Signing in from inside DingTalk, end to end: the fake DingTalk (the documented protocol), the
 * real DingTalk client, the token service's handler, and the API trusting its tokens.
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, jwtVerify, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { periodKey } from "../../domain/kernel/periods.ts";
import { newSigningKey } from "../../functions/sign-in/token-keys.ts";
import { call } from "../support/api.ts";
import { withDemoOrg } from "../support/org.ts";
import { startFakeDingTalk } from "./dingtalk-fake.ts";
import { itemsBesidesAudit } from "./items.ts";

const issuer = "https://laurel.test";
const fake = await startFakeDingTalk();
const signingKey = await newSigningKey(new Date(Date.now() - 3_600_000));
Object.assign(process.env, {
  TOKEN_ISSUER: issuer,
  TOKEN_SIGNING_KEYS: JSON.stringify({ keys: [signingKey] }),
  DINGTALK_APP: JSON.stringify(fake.app),
  DINGTALK_API_BASE: fake.url,
});
const admin = await withDemoOrg();
afterAll(() => fake.close());

/** Gives a demo person a DingTalk user id and directory roles. */
async function onDingTalk(personId: string, dingtalkId: string): Promise<void> {
  const person = (await admin.get(`/admin/people/${personId}`)).body;
  const put = await admin.put(`/admin/people/${personId}`, {
    ...person,
    identities: { dingtalk: dingtalkId },
    roles: ["manager"],
  });
  expect(put.status).toBe(200);
}

await onDingTalk("liu-yang", "dt-liuyang");
await onDingTalk("he-ying", "dt-heying");
expect((await admin.post("/admin/people/he-ying/deactivation", {})).status).toBe(200);

const signIn = (code: string) => call("POST", "/auth/dingtalk", { body: { code } });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("signing in from inside DingTalk", () => {
  it("exchanges the page's auth code for a Laurel token with which the person reads their own balances", async () => {
    expect((await admin.post("/awards", { personId: "liu-yang", coins: 20, reason: "完成《AI 工具实操》课程" })).status).toBe(201);

    const answer = await signIn(fake.authCode("dt-liuyang"));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, personId: "liu-yang" });
    expect(decodeProtectedHeader(answer.body.accessToken)).toMatchObject({ alg: "ES256", kid: signingKey.kid });
    expect(decodeJwt(answer.body.accessToken)).toMatchObject({ iss: issuer, aud: "laurel", sub: "liu-yang", roles: ["manager"] });
    const balances = await call("GET", "/people/liu-yang/balances", bearer(answer.body.accessToken));
    expect(balances.status).toBe(200);
    expect(balances.body).toMatchObject({ personId: "liu-yang", coins: 20 });
    expect(fake.calls).toEqual(expect.arrayContaining(["/gettoken", "/topapi/v2/user/getuserinfo"]));
  });

  it("gives the person the roles the directory holds, and no more: a manager reads nobody outside their team", async () => {
    const { accessToken } = (await signIn(fake.authCode("dt-liuyang"))).body;
    expect((await call("GET", "/people/zhou-jie/balances", bearer(accessToken))).status).toBe(403);
    expect(
      (
        await call("POST", "/awards", {
          headers: { authorization: `Bearer ${accessToken}`, "idempotency-key": "a3c9f1d0-0000-4000-8000-000000000001" },
          body: { personId: "liu-yang", coins: 1, reason: "x" },
        })
      ).status,
    ).toBe(403);
  });

  it("publishes the signing key (public half only) and a discovery document that verify the token as the JWT authorizer does", async () => {
    const discovery = await call("GET", "/.well-known/openid-configuration");
    expect(discovery.body).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/auth/jwks.json`,
      id_token_signing_alg_values_supported: ["ES256"],
    });
    const jwks = (await call("GET", "/auth/jwks.json")).body;
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: signingKey.kid, kty: "EC", crv: "P-256", alg: "ES256" })]);
    expect(jwks.keys[0]).not.toHaveProperty("d");
    const { accessToken } = (await signIn(fake.authCode("dt-liuyang"))).body;
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer, audience: "laurel" });
    expect(payload.sub).toBe("liu-yang");
  });
});

describe("a refused sign-in", () => {
  const refused = async (code: string) => {
    const before = await itemsBesidesAudit();
    const answer = await signIn(code);
    expect(await itemsBesidesAudit()).toBe(before);
    return answer;
  };

  it("refuses a forged code with a sentence in Chinese and English, and writes nothing", async () => {
    const answer = await refused("forged-code-0000");
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(answer.body).toMatchObject({
      code: "code-refused",
      messages: { zh: expect.stringContaining("登录码"), en: expect.stringContaining("sign-in code") },
    });
  });

  it("refuses a code older than DingTalk's five minutes", async () => {
    const answer = await refused(fake.authCode("dt-liuyang", { ageMs: 6 * 60_000 }));
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe("code-refused");
  });

  it("refuses a code used before, whether DingTalk refuses it or Laurel remembers it", async () => {
    const code = fake.authCode("dt-liuyang");
    expect((await signIn(code)).status).toBe(200);
    expect((await refused(code)).body.code).toBe("code-refused");

    fake.singleUseCodes = false;
    try {
      const lenient = fake.authCode("dt-liuyang");
      expect((await signIn(lenient)).status).toBe(200);
      const replay = await refused(lenient);
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe("code-reused");
    } finally {
      fake.singleUseCodes = true;
    }
  });

  it("refuses a DingTalk user nobody in the directory holds, and a person who has left", async () => {
    const unknown = await refused(fake.authCode("dt-stranger"));
    expect(unknown.status).toBe(403);
    expect(unknown.body).toMatchObject({ code: "person-not-registered", detail: expect.stringContaining("管理员") });
    const departed = await refused(fake.authCode("dt-heying"));
    expect(departed.status).toBe(403);
    expect(departed.body.code).toBe("person-departed");
  });

  it("puts every attempt in the audit trail, with ids and the outcome", async () => {
    const today = periodKey(new Date(), "day", "Asia/Shanghai");
    const { records } = (await admin.get(`/admin/audit?day=${today}&limit=200`)).body;
    const outcomes = records.filter((r: { action: string }) => r.action === "sign-in:dingtalk").map((r: { outcome: string }) => r.outcome);
    expect(new Set(outcomes)).toEqual(new Set(["signed-in", "code-refused", "code-reused", "person-not-registered", "person-departed"]));
    expect(records).toContainEqual(
      expect.objectContaining({ action: "sign-in:dingtalk", actor: "dingtalk:dt-stranger", outcome: "person-not-registered" }),
    );
  });
});

type SigningKey = Parameters<SignJWT["sign"]>[0];

describe("the API", () => {
  const forge = async (claims: { iss?: string; aud?: string }, key?: SigningKey) =>
    new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "ES256", kid: signingKey.kid })
      .setSubject("liu-yang")
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? "laurel")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key ?? ((await importJWK(signingKey, "ES256")) as SigningKey));

  it("refuses a token from another issuer, for another audience, or signed by another key", async () => {
    const strangerKey = (await generateKeyPair("ES256")).privateKey;
    for (const token of [await forge({ iss: "https://evil.test" }), await forge({ aud: "someone-else" }), await forge({}, strangerKey)]) {
      expect((await call("GET", "/people/liu-yang/balances", bearer(token))).status).toBe(401);
    }
  });
});
