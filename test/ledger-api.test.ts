import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Client } from "./support/api.ts";
import { withDemoOrg } from "./support/org.ts";

let admin: Client;
beforeAll(async () => {
  admin = await withDemoOrg();
});

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

    const balances = await admin.get("/people/yang-xue/balances");
    expect(balances.status).toBe(200);
    expect(balances.body).toMatchObject({ personId: "yang-xue", coins: 30, points: { total: 12 } });
    expect(balances.body.points.byCapability["tool-operation"]).toBe(12);
  });

  it("replaying an award with the same Idempotency-Key returns the original and writes nothing", async () => {
    const key = { "idempotency-key": randomUUID() };
    const body = { personId: "he-ying", coins: 5, reason: "first" };
    const first = await admin.post("/awards", body, key);
    const again = await admin.post("/awards", body, key);
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body.entries).toEqual(first.body.entries);
    expect((await admin.get("/people/he-ying/balances")).body.coins).toBe(5);
  });

  it("the same Idempotency-Key with a different body is a 409", async () => {
    const key = { "idempotency-key": randomUUID() };
    await admin.post("/awards", { personId: "he-ying", coins: 1, reason: "a" }, key);
    const conflict = await admin.post("/awards", { personId: "he-ying", coins: 2, reason: "a" }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.headers["content-type"]).toBe("application/problem+json");
    expect(conflict.body).toMatchObject({ status: 409, code: "idempotency-key-reused" });
  });
});
