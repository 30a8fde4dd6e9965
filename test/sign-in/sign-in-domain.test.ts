/** Signing in with a provider's one-time code, with plain values and fakes of the ports. */
import { describe, expect, it } from "vitest";
import type { Person } from "../../domain/directory/index.ts";
import type { AuditRecord } from "../../domain/kernel/audit.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { type CodeExchange, SignInRefusal, SignInService } from "../../domain/sign-in/index.ts";
import {
  type KeyRing,
  keepRetiredMs,
  newSigningKey,
  publishBeforeSigningMs,
  rotated,
  signingKey,
} from "../../functions/sign-in/token-keys.ts";

const now = new Date("2026-12-01T02:00:00.000Z");
const liu = {
  personId: "liu-yang" as PersonId,
  name: "刘洋",
  tier: "base",
  tierSince: "2025-01-01",
  orgUnitId: "store-east" as OrgUnitId,
  roles: ["manager"],
} as Person;

function service(people: Record<string, Person>) {
  const spent = new Set<string>();
  const audit: AuditRecord[] = [];
  const signed: unknown[] = [];
  const sign = new SignInService({
    directory: { personByIdentity: async (_provider, subject) => people[subject] },
    codes: { spend: async (hash) => !spent.has(hash) && Boolean(spent.add(hash)) },
    signer: {
      sign: async (claims) => {
        signed.push(claims);
        return "token";
      },
    },
    audit: { append: async (record) => void audit.push(record) },
    clock: { now: () => now },
  });
  return { sign, spent, audit, signed };
}

/** A provider that accepts any code, any number of times: Laurel's own guard is all that is left. */
const lenient = (userId: string): CodeExchange => ({ userIdByCode: async () => userId });

describe("signing in with a one-time code", () => {
  it("issues a token naming the person with the roles the directory holds", async () => {
    const { sign, signed, audit } = service({ "dt-liu": liu });
    await expect(sign.withCode("dingtalk", lenient("dt-liu"), "c1")).resolves.toMatchObject({ personId: "liu-yang", token: "token" });
    expect(signed).toEqual([{ sub: "liu-yang", roles: ["manager"], amr: ["dingtalk"] }]);
    expect(audit).toEqual([expect.objectContaining({ actor: "liu-yang", action: "sign-in:dingtalk", outcome: "signed-in" })]);
  });

  it("refuses the same code a second time even when the provider would accept it", async () => {
    const { sign, signed } = service({ "dt-liu": liu });
    await sign.withCode("dingtalk", lenient("dt-liu"), "c1");
    await expect(sign.withCode("dingtalk", lenient("dt-liu"), "c1")).rejects.toMatchObject({
      code: "code-reused",
      kind: "unauthenticated",
    });
    expect(signed).toHaveLength(1);
  });

  it("refuses someone who left the company from the first minute of their leaving day in the company's time zone", async () => {
    // 02:00 UTC on 1 December is 10:00 in Shanghai: the leaving day has begun there.
    const { sign, spent } = service({ "dt-liu": { ...liu, leftAt: "2026-12-01T01:00:00.000Z" } });
    await expect(sign.withCode("dingtalk", lenient("dt-liu"), "c1")).rejects.toMatchObject({ code: "person-departed", kind: "forbidden" });
    expect(spent.size).toBe(0);
  });

  it("records the provider's user id as the actor of a refusal for someone unknown, and spends nothing", async () => {
    const { sign, spent, audit } = service({});
    const refusal = await sign.withCode("dingtalk", lenient("dt-who"), "c1").catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SignInRefusal);
    expect((refusal as SignInRefusal).details.messages).toEqual({ zh: expect.any(String), en: expect.any(String) });
    expect(spent.size).toBe(0);
    expect(audit).toEqual([expect.objectContaining({ actor: "dingtalk:dt-who", targets: [], outcome: "person-not-registered" })]);
  });
});

describe("the token service's key ring", () => {
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

  it("signs with a new key only once every instance publishes it, and keeps a retired key until its last token expired", async () => {
    const first = await newSigningKey(minutes(-600));
    const second = await newSigningKey(now);
    const ring: KeyRing = rotated({ keys: [first] }, second, now);
    expect(ring.keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
    expect(signingKey(ring, minutes(1))?.kid).toBe(first.kid);
    expect(signingKey(ring, new Date(now.getTime() + publishBeforeSigningMs))?.kid).toBe(second.kid);

    const third = await newSigningKey(minutes(20));
    expect(rotated(ring, third, minutes(20)).keys.map((k) => k.kid)).toEqual([third.kid, second.kid, first.kid]);
    const later = new Date(now.getTime() + publishBeforeSigningMs + keepRetiredMs);
    expect(rotated(ring, third, later).keys.map((k) => k.kid)).toEqual([third.kid, second.kid]);
  });

  it("signs with its only key at once when the ring is new", async () => {
    const only = await newSigningKey(now);
    expect(signingKey({ keys: [only] }, now)?.kid).toBe(only.kid);
  });
});
