import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { as, type Client, call } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { ledgerProblems, storedChain } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";

let admin: Client;
beforeAll(async () => {
  ({ admin } = await withDemoDefinitions());
});

const balancesOf = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body;

describe("awards", () => {
  it("an award of coins and points shows in the person's balances", async () => {
    const award = await admin.post("/awards", {
      personId: "yang-xue",
      coins: 30,
      points: { capability: "tool-operation", amount: 12 },
      reason: "完成课程",
    });
    expect(award.status).toBe(201);
    expect(award.body.entries).toHaveLength(2);
    expect(award.body.entries[0]).toMatchObject({
      from: "system:issuer",
      to: "person:yang-xue",
      reason: "完成课程",
      actor: { kind: "person", personId: "cao-yi" },
    });

    const balances = await admin.get("/people/yang-xue/balances");
    expect(balances.status).toBe(200);
    expect(balances.body).toMatchObject({ personId: "yang-xue", coins: 30, points: { total: 12 } });
    expect(balances.body.points.byCapability["tool-operation"]).toBe(12);
  });

  it("a badge level awarded shows among the person's badges, and cannot be awarded twice", async () => {
    const first = await admin.post("/awards", { personId: "lin-feng", badge: { badgeId: "certification", level: 1 }, reason: "认证通过" });
    expect(first.status).toBe(201);
    expect((await balancesOf("lin-feng")).badges).toEqual([{ badgeId: "certification", levels: [1] }]);
    const again = await admin.post("/awards", { personId: "lin-feng", badge: { badgeId: "certification", level: 1 }, reason: "again" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("badge-level-already-held");
  });

  it("an award of a badge or level that is not defined is a 422", async () => {
    const unknown = await admin.post("/awards", { personId: "lin-feng", badge: { badgeId: "no-such-badge", level: 1 }, reason: "x" });
    expect([unknown.status, unknown.body.code]).toEqual([422, "badge-unknown"]);
    const level = await admin.post("/awards", { personId: "lin-feng", badge: { badgeId: "certification", level: 4 }, reason: "x" });
    expect([level.status, level.body.code]).toEqual([422, "badge-level-unknown"]);
  });

  it("replaying an award with the same Idempotency-Key returns the original and writes nothing", async () => {
    const key = { "idempotency-key": randomUUID() };
    const body = { personId: "he-ying", coins: 5, reason: "first" };
    const first = await admin.post("/awards", body, key);
    const again = await admin.post("/awards", body, key);
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body.entries).toEqual(first.body.entries);
    expect((await balancesOf("he-ying")).coins).toBe(5);
  });

  it("the same Idempotency-Key with a different body is a 409", async () => {
    const key = { "idempotency-key": randomUUID() };
    await admin.post("/awards", { personId: "luo-xin", coins: 1, reason: "a" }, key);
    const conflict = await admin.post("/awards", { personId: "luo-xin", coins: 2, reason: "a" }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.headers["content-type"]).toBe("application/problem+json");
    expect(conflict.body).toMatchObject({ status: 409, code: "idempotency-key-reused" });
    expect((await balancesOf("luo-xin")).coins).toBe(1);
  });

  it("an admin cannot award to themselves", async () => {
    const self = await admin.post("/awards", { personId: "cao-yi", coins: 1000, reason: "bonus" });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe("self-award");
  });

  it("an award to a person not in the directory is a 404 and writes nothing", async () => {
    const response = await admin.post("/awards", { personId: "nobody", coins: 1, reason: "x" });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe("person-not-found");
    expect((await storedChain("nobody")).entries).toEqual([]);
  });
});

describe("deductions and reversals", () => {
  it("a deduction beyond the balance is a 409 with the shortfall, and writes nothing", async () => {
    await admin.post("/awards", { personId: "ma-chao", coins: 10, reason: "start" });
    const response = await admin.post("/deductions", { personId: "ma-chao", coins: 15, reason: "红色预警" });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: "insufficient-balance", balance: 10, requested: 15, shortfall: 5 });
    expect(response.body.detail).toContain("5 short");
    expect((await balancesOf("ma-chao")).coins).toBe(10);
  });

  it("a deduction within the balance takes coins and points", async () => {
    await admin.post("/awards", { personId: "hu-yan", coins: 10, points: { capability: "growth-driving", amount: 8 }, reason: "start" });
    const response = await admin.post("/deductions", {
      personId: "hu-yan",
      coins: 4,
      points: { capability: "growth-driving", amount: 3 },
      reason: "擂台处罚",
    });
    expect(response.status).toBe(201);
    expect(response.body.balances).toMatchObject({ coins: 6, points: { total: 5 } });
  });

  it("a reversal moves the value back and can happen only once", async () => {
    const award = await admin.post("/awards", { personId: "zheng-hui", coins: 25, reason: "wrong person" });
    const entryId = award.body.entries[0].entryId;
    const reversal = await admin.post(`/ledger/${entryId}/reversal`, { reason: "awarded to the wrong person" });
    expect(reversal.status).toBe(201);
    expect(reversal.body.entries[0]).toMatchObject({ kind: "reversal", reverses: entryId, amount: 25, from: "person:zheng-hui" });
    expect((await balancesOf("zheng-hui")).coins).toBe(0);

    const twice = await admin.post(`/ledger/${entryId}/reversal`, { reason: "again" });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: "already-reversed", reversedBy: reversal.body.entries[0].entryId });
  });

  it("a reversal of a reversal is refused", async () => {
    const award = await admin.post("/awards", { personId: "liang-yu", coins: 3, reason: "x" });
    const reversal = await admin.post(`/ledger/${award.body.entries[0].entryId}/reversal`, { reason: "undo" });
    const undo = await admin.post(`/ledger/${reversal.body.entries[0].entryId}/reversal`, { reason: "undo the undo" });
    expect(undo.status).toBe(409);
    expect(undo.body.code).toBe("reversal-not-reversible");
  });

  it("a reversal that would take a balance below zero is refused with the shortfall", async () => {
    const award = await admin.post("/awards", { personId: "song-jia", coins: 20, reason: "x" });
    await admin.post("/deductions", { personId: "song-jia", coins: 15, reason: "spent" });
    const reversal = await admin.post(`/ledger/${award.body.entries[0].entryId}/reversal`, { reason: "undo" });
    expect(reversal.status).toBe(409);
    expect(reversal.body).toMatchObject({ code: "insufficient-balance", balance: 5, requested: 20, shortfall: 15 });
  });

  it("reversing an entry that does not exist is a 404", async () => {
    for (const entryId of ["person.song-jia.999", "garbage"]) {
      const response = await admin.post(`/ledger/${entryId}/reversal`, { reason: "undo" });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe("ledger-entry-not-found");
    }
  });
});

describe("concurrency", () => {
  // 50 writers on one chain take turns; with clients honouring Retry-After this takes seconds,
  // more on a loaded machine, hence the longer bound.
  it("50 parallel awards and deductions on one person leave exact balances and a gap-free chain", async () => {
    await admin.post("/awards", { personId: "tang-jun", coins: 100, reason: "start" });
    const operations = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? admin.post("/awards", { personId: "tang-jun", coins: 3, reason: `award ${i}` })
        : admin.post("/deductions", { personId: "tang-jun", coins: 2, reason: `deduction ${i}` }),
    );
    const responses = await Promise.all(operations);
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    expect((await balancesOf("tang-jun")).coins).toBe(100 + 25 * 3 - 25 * 2);
    const chain = await storedChain("tang-jun");
    expect(chain.entries.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  }, 120_000);

  it("parallel deductions never overdraw: exactly as many succeed as the balance allows", async () => {
    await admin.post("/awards", { personId: "feng-lan", coins: 10, reason: "start" });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.post("/deductions", { personId: "feng-lan", coins: 1, reason: `d${i}` })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === "insufficient-balance")).toBe(true);
    expect((await balancesOf("feng-lan")).coins).toBe(0);
  });

  it("parallel duplicates of one Idempotency-Key produce one entry", async () => {
    const key = { "idempotency-key": randomUUID() };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => admin.post("/awards", { personId: "han-mei", coins: 7, reason: "once" }, key)),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.entries[0].entryId)).size).toBe(1);
    expect((await storedChain("han-mei")).entries).toHaveLength(1);
    expect((await balancesOf("han-mei")).coins).toBe(7);
  });

  it("after all of the above, every ledger invariant holds", async () => {
    expect(await ledgerProblems()).toEqual([]);
  });
});

describe("reading history", () => {
  it("the ledger pages newest first with an opaque cursor until the end", async () => {
    for (let i = 1; i <= 5; i++) await admin.post("/awards", { personId: "wu-min", coins: i, reason: `award ${i}` });
    const first = await admin.get("/people/wu-min/ledger?limit=2");
    expect(first.body.entries.map((e: { amount: number }) => e.amount)).toEqual([5, 4]);
    const second = await admin.get(`/people/wu-min/ledger?limit=2&cursor=${first.body.cursor}`);
    expect(second.body.entries.map((e: { amount: number }) => e.amount)).toEqual([3, 2]);
    const third = await admin.get(`/people/wu-min/ledger?limit=2&cursor=${second.body.cursor}`);
    expect(third.body.entries.map((e: { amount: number }) => e.amount)).toEqual([1]);
    expect(third.body.cursor).toBeNull();
  });

  it("a cursor that the API did not give out is a 400", async () => {
    const response = await admin.get("/people/wu-min/ledger?cursor=bm9wZQ");
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("invalid-cursor");
  });
});

describe("access", () => {
  it("a manager reads their own balances", async () => {
    const me = await as("yang-xue", "manager");
    expect((await me.get("/people/yang-xue/balances")).status).toBe(200);
  });

  it("a team lead reads a member of their team, and a department head a member of a team below", async () => {
    expect((await (await as("liu-yang", "manager")).get("/people/yang-xue/balances")).status).toBe(200);
    expect((await (await as("wang-fang", "manager")).get("/people/yang-xue/ledger")).status).toBe(200);
  });

  it("a manager of another department gets 403, for balances and history alike", async () => {
    const other = await as("sun-li", "manager");
    for (const path of ["/people/yang-xue/balances", "/people/yang-xue/ledger"]) {
      const response = await other.get(path);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: "forbidden", status: 403 });
    }
  });

  it("a team member cannot read their lead", async () => {
    expect((await (await as("yang-xue", "manager")).get("/people/liu-yang/balances")).status).toBe(403);
  });

  it("a manager asking about someone who does not exist learns nothing more than 403", async () => {
    expect((await (await as("yang-xue", "manager")).get("/people/ghost/balances")).status).toBe(403);
  });

  it("history read alongside the access check shows nothing of it to who may not read: the same 403 or 404, no entries", async () => {
    const other = await as("sun-li", "manager");
    const forbidden = await other.get("/people/yang-xue/ledger?limit=15");
    const unknown = await other.get("/people/ghost/ledger?limit=15");
    for (const refused of [forbidden, unknown]) {
      expect(refused.status).toBe(403);
      expect(Object.keys(refused.body).sort()).toEqual(["code", "detail", "status", "title", "type"]);
    }
    expect(forbidden.body.detail).toBe(unknown.body.detail.replace("ghost", "yang-xue"));
    expect((await admin.get("/people/ghost/ledger")).body).toMatchObject({ status: 404, code: "person-not-found" });
  });

  it("hr reads anyone; a manager cannot award", async () => {
    expect((await (await as("deng-hua", "hr")).get("/people/yang-xue/balances")).status).toBe(200);
    const award = await (await as("liu-yang", "manager")).post("/awards", { personId: "yang-xue", coins: 5, reason: "x" });
    expect(award.status).toBe(403);
  });

  it("no token, a malformed token, an expired token and a token from another issuer are refused by API Gateway's authorizer", async () => {
    const expired = await issuer.sign("yang-xue", ["manager"], { expiresIn: "-1m" });
    const foreign = await issuer.sign("yang-xue", ["manager"], { issuer: "https://evil.example" });
    const wrongAudience = await issuer.sign("yang-xue", ["manager"], { audience: "other-app" });
    for (const authorization of [
      undefined,
      "Bearer nope",
      "Basic abc",
      `Bearer ${expired}`,
      `Bearer ${foreign}`,
      `Bearer ${wrongAudience}`,
    ]) {
      const response = await call("GET", "/people/yang-xue/balances", { headers: authorization ? { authorization } : {} });
      expect([response.status, response.body]).toEqual([401, { message: "Unauthorized" }]);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
  });
});

describe("bad input", () => {
  it("an invalid body is a 400 naming every invalid field, and writes nothing", async () => {
    const response = await admin.post("/awards", {
      personId: "xu-jing",
      coins: 1.5,
      points: { capability: "magic", amount: -3 },
      reason: "",
      extra: 1,
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("validation-failed");
    const paths = response.body.invalidFields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["body.coins", "body.points.capability", "body.points.amount", "body.reason", "body"]));
    expect((await storedChain("xu-jing")).entries).toEqual([]);
  });

  it("an award with nothing to award is a 400", async () => {
    const response = await admin.post("/awards", { personId: "xu-jing", reason: "nothing" });
    expect(response.status).toBe(400);
    expect(response.body.detail).toContain("award coins, points or a badge level");
  });

  it("a write without an Idempotency-Key is a 400", async () => {
    const response = await call("POST", "/awards", { token: admin.token, body: { personId: "xu-jing", coins: 1, reason: "x" } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("idempotency-key-missing");
  });

  it("malformed JSON, a wrong media type and an oversized body are refused", async () => {
    const headers = { "idempotency-key": randomUUID() };
    const malformed = await call("POST", "/awards", { token: admin.token, body: "{not json", headers });
    expect([malformed.status, malformed.body.code]).toEqual([400, "malformed-json"]);
    const text = await call("POST", "/awards", {
      token: admin.token,
      body: "coins=1",
      headers: { ...headers, "content-type": "text/plain" },
    });
    expect([text.status, text.body.code]).toEqual([400, "unsupported-media-type"]);
    const huge = await call("POST", "/awards", {
      token: admin.token,
      body: { personId: "xu-jing", coins: 1, reason: "x".repeat(300_000) },
      headers,
    });
    expect([huge.status, huge.body.code]).toEqual([413, "body-too-large"]);
    expect((await storedChain("xu-jing")).entries).toEqual([]);
  });

  it("an unknown query parameter is a 400 and an unknown route a 404 problem", async () => {
    expect((await admin.get("/people/wu-min/ledger?limt=2")).status).toBe(400);
    const missing = await admin.get("/nowhere");
    expect([missing.status, missing.body.code]).toEqual([404, "route-not-found"]);
  });
});
