/**
 * Verifiable badges as a verifier outside the company checks them: with `jose` (not our code)
 * against the JWK Set the API publishes, and the status list decoded by Digital Bazaar's
 * `@digitalbazaar/bitstring`, then again after the badge is revoked.
 */
import { randomUUID } from "node:crypto";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { BadgeSigner } from "../../functions/secrets/badge-signer.ts";
import { call } from "../support/api.ts";
import { revocationBits, verifiedJwt } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";
import schema from "./open-badges-schema/ob_v3p0_achievementcredential_schema.json" with { type: "json" };

const { admin, secrets } = await withDemoDefinitions();
const issuerUrl = `${process.env.PUBLIC_API_URL}/badges/issuer`;

/** What a verifier does: the signature against the issuer's keys, then the credential's bit. */
async function verify(jwt: string): Promise<{ credential: JWTPayload; revoked: boolean }> {
  const credential = await verifiedJwt(jwt);
  const status = credential.credentialStatus as { statusListCredential: string; statusListIndex: string; type: string };
  expect(status.type).toBe("BitstringStatusListEntry");
  const [revoked] = await revocationBits(status.statusListCredential, [Number(status.statusListIndex)]);
  return { credential, revoked: revoked as boolean };
}

async function credentialsOf(personId: string) {
  const response = await admin.get(`/people/${personId}/badges/credentials`);
  expect(response.status).toBe(200);
  return response.body.credentials as {
    credential: { id: string; credentialSubject: { achievement: { name: unknown } } };
    jwt: string;
    revokedAt?: string;
  }[];
}

describe("a badge credential checked by an independent verifier", () => {
  it("passes 1EdTech's JSON Schema of the Open Badges 3.0 credential, its achievement named by a string", async () => {
    await admin.post("/awards", { personId: "huang-tao", badge: { badgeId: "certification", level: 1 }, reason: "认证通过" });
    const [issued] = await credentialsOf("huang-tao");
    if (!issued) throw new Error("no credential");
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(issued.credential) ? [] : validate.errors).toEqual([]);
    expect(validate(await verifiedJwt(issued.jwt)) ? [] : validate.errors).toEqual([]);
    // The form issued before: the achievement's name as a language map, which the schema refuses.
    const subject = issued.credential.credentialSubject;
    const languageMap = { ...subject, achievement: { ...subject.achievement, name: { zh: "数字化认证", en: "Digital certification" } } };
    expect(validate({ ...issued.credential, credentialSubject: languageMap })).toBe(false);
  });

  it("verifies while the badge is held, and is revoked in the status list once the level is revoked", async () => {
    const award = await admin.post("/awards", { personId: "yang-xue", badge: { badgeId: "certification", level: 1 }, reason: "认证通过" });
    expect(award.status).toBe(201);
    const [issued] = await credentialsOf("yang-xue");
    if (!issued) throw new Error("no credential");
    expect(decodeProtectedHeader(issued.jwt)).toEqual({
      alg: "ES256",
      typ: "JWT",
      kid: `${process.env.PUBLIC_API_URL}/.well-known/jwks.json#k0`,
    });
    const before = await verify(issued.jwt);
    expect(before.revoked).toBe(false);
    expect(before.credential).toMatchObject({
      jti: issued.credential.id,
      sub: "urn:laurel:person:yang-xue",
      nbf: Math.floor(Date.parse(award.body.entries[0].recordedAt) / 1000),
      credentialSubject: { id: "urn:laurel:person:yang-xue" },
    });
    expect(typeof issued.credential.credentialSubject.achievement.name).toBe("string");

    const badgeEntry = award.body.entries.find((e: { asset: string }) => e.asset === "badge:certification:1");
    const revocation = await admin.post(`/ledger/${badgeEntry.entryId}/reversal`, { reason: "考试成绩作废" });
    expect(revocation.status).toBe(201);

    expect((await verify(issued.jwt)).revoked).toBe(true);
    const [listed] = await credentialsOf("yang-xue");
    expect(listed?.revokedAt).toBe(revocation.body.entries[0].recordedAt);
  });

  it("is revoked when the event that earned the level is retracted by its source's admin", async () => {
    const learning = "tianma-learning";
    const event = cloudEvent("com.tianma.learning.certification.passed", "wu-min", { level: 1 });
    expect((await deliver(learning, event, { secret: secrets[learning] as string })).status).toBe(200);
    const [issued] = await credentialsOf("wu-min");
    if (!issued) throw new Error("no credential");
    expect((await verify(issued.jwt)).revoked).toBe(false);
    const retraction = await admin.post(`/admin/sources/${learning}/events/${event.id}/retraction`, { reason: "误报" });
    expect(retraction.status).toBe(200);
    expect((await verify(issued.jwt)).revoked).toBe(true);
  });

  it("fails a credential whose content was changed after signing", async () => {
    await admin.post("/awards", { personId: "liu-yang", badge: { badgeId: "certification", level: 2 }, reason: "认证通过" });
    const [issued] = await credentialsOf("liu-yang");
    if (!issued) throw new Error("no credential");
    const [header, payload, signature] = issued.jwt.split(".");
    const forged = JSON.parse(Buffer.from(payload as string, "base64url").toString());
    forged.credentialSubject.id = "urn:laurel:person:someone-else";
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${signature}`;
    await expect(verify(tampered)).rejects.toThrow(/signature verification failed/);
  });

  it("publishes the issuer's profile at the id every credential names", async () => {
    const profile = await call("GET", "/badges/issuer");
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: issuerUrl, type: ["Profile"], name: "天马集团" });
  });

  it("keeps verifying credentials signed before a key rotation", async () => {
    const b1 = randomUUID() + randomUUID();
    const before = new BadgeSigner(async () => JSON.stringify({ current: "b1", keys: { b1 } }));
    const credential = {
      id: "urn:laurel:credential:x",
      issuer: issuerUrl,
      validFrom: "2026-01-01T00:00:00Z",
      credentialSubject: { id: "urn:x" },
    };
    const jwt = await before.sign(credential);
    const after = new BadgeSigner(async () => JSON.stringify({ current: "b2", keys: { b1, b2: randomUUID() + randomUUID() } }));
    const published = await after.publicKeys(issuerUrl);
    expect(published.keys.map((k) => [k.kid?.split("#")[1], "d" in k])).toEqual([
      ["b1", false],
      ["b2", false],
    ]);
    await expect(jwtVerify(jwt, createLocalJWKSet(published), { issuer: issuerUrl })).resolves.toBeTruthy();
    expect(decodeProtectedHeader(await after.sign(credential)).kid).toMatch(/#b2$/);
  });
});
