/**
 * Signing in from inside WeCom, end to end: the fake WeCom (the documented protocol), the real
 * WeCom client, the token service's handler, and the API trusting its tokens.
 */
import { decodeJwt } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { periodKey } from "../../domain/kernel/periods.ts";
import { newSigningKey } from "../../functions/sign-in/token-keys.ts";
import { call } from "../support/api.ts";
import { withDemoOrg } from "../support/org.ts";
import { itemsBesidesAudit } from "./items.ts";
import { startFakeWeCom } from "./wecom-fake.ts";

const issuer = "https://laurel.test";
const fake = await startFakeWeCom();
Object.assign(process.env, {
  TOKEN_ISSUER: issuer,
  TOKEN_SIGNING_KEYS: JSON.stringify({ keys: [await newSigningKey(new Date(Date.now() - 3_600_000))] }),
  WECOM_APP: JSON.stringify(fake.app),
  WECOM_API_BASE: fake.url,
});
const admin = await withDemoOrg();
afterAll(() => fake.close());

async function onWeCom(personId: string, wecomId: string): Promise<void> {
  const person = (await admin.get(`/admin/people/${personId}`)).body;
  expect((await admin.put(`/admin/people/${personId}`, { ...person, identities: { wecom: wecomId }, roles: ["manager"] })).status).toBe(
    200,
  );
}
await onWeCom("wu-min", "WuMin");
await onWeCom("he-ying", "HeYing");
expect((await admin.post("/admin/people/he-ying/deactivation", {})).status).toBe(200);

const signIn = (code: string) => call("POST", "/auth/wecom", { body: { code } });

describe("signing in from inside WeCom", () => {
  it("exchanges the web authorisation code for a Laurel token with which the person reads their own balances", async () => {
    expect((await admin.post("/awards", { personId: "wu-min", coins: 15, reason: "完成《数据看板》课程" })).status).toBe(201);
    const answer = await signIn(fake.code("WuMin"));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, personId: "wu-min" });
    expect(decodeJwt(answer.body.accessToken)).toMatchObject({ iss: issuer, sub: "wu-min", roles: ["manager"], amr: ["wecom"] });
    const balances = await call("GET", "/people/wu-min/balances", { headers: { authorization: `Bearer ${answer.body.accessToken}` } });
    expect(balances.body).toMatchObject({ personId: "wu-min", coins: 15 });
    expect(fake.calls).toEqual(expect.arrayContaining(["/cgi-bin/gettoken", "/cgi-bin/auth/getuserinfo"]));
  });

  it("refuses a used, expired or forged code, someone outside the company, an unknown member and a leaver; writes nothing but the audit", async () => {
    const refused = async (code: string) => {
      const before = await itemsBesidesAudit();
      const answer = await signIn(code);
      expect(await itemsBesidesAudit()).toBe(before);
      return [answer.status, answer.body.code];
    };
    const used = fake.code("WuMin");
    expect((await signIn(used)).status).toBe(200);
    expect(await refused(used)).toEqual([401, "code-refused"]);
    expect(await refused(fake.code("WuMin", { ageMs: 6 * 60_000 }))).toEqual([401, "code-refused"]);
    expect(await refused("forged-0000")).toEqual([401, "code-refused"]);
    expect(await refused(fake.code("someone", { member: false }))).toEqual([403, "person-not-registered"]);
    expect(await refused(fake.code("Stranger"))).toEqual([403, "person-not-registered"]);
    expect(await refused(fake.code("HeYing"))).toEqual([403, "person-departed"]);

    const today = periodKey(new Date(), "day", "Asia/Shanghai");
    const { records } = (await admin.get(`/admin/audit?day=${today}&limit=200`)).body;
    const outcomes = records.filter((r: { action: string }) => r.action === "sign-in:wecom").map((r: { outcome: string }) => r.outcome);
    expect(new Set(outcomes)).toEqual(new Set(["signed-in", "code-refused", "person-not-registered", "person-departed"]));
  });
});
