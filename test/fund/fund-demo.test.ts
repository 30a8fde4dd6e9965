/** The demo data `npm start` loads: a funded pool with claims in each state, and the rewards catalog. */
import { expect, it } from "vitest";
import { demoAdmin, demoClaims, demoFund, loadDemoAwards, loadDemoFund } from "../../scripts/demo-data.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { fundLedgerProblems } from "../support/fund-invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";

it("loads a funded pool with claims in each state, the catalog and a redemption, and the ledger stays clean", async () => {
  const { admin } = await withDemoDefinitions();
  await loadDemoAwards((method, url, body, key) =>
    method === "PUT" ? admin.put(url, body) : admin.post(url, body, key ? { "idempotency-key": key } : undefined),
  );
  await loadDemoFund(dispatch, (personId, roles) => issuer.sign(personId, roles));
  const finance = await as("peng-li", "finance");
  const { body } = await finance.get(`/funds/${demoFund.fundId}`);
  expect(body.fund.name).toBe("2026 数字化创新基金");
  expect(body.totals).toEqual({
    currency: "CNY",
    deposited: 50_000_000,
    reserved: 300_000 + 1_500_000,
    paidOut: 800_000 + 600_000,
    clawedBack: 300_000,
    available: 50_000_000 - 1_800_000 - 1_400_000 + 300_000,
  });
  const statuses = await Promise.all(
    demoClaims.map(async (c) => {
      const claims = (await admin.get(`/people/${c.claimant}/fund`)).body.claims;
      return claims.map((claim: { status: string; decisions: unknown[]; clawedBack: number }) => [
        claim.status,
        claim.decisions.length,
        claim.clawedBack,
      ]);
    }),
  );
  expect(statuses.flat()).toEqual([
    ["pending", 0, 0],
    ["pending", 1, 0],
    ["paid", 1, 0],
    ["rejected", 1, 0],
    ["withdrawn", 0, 0],
    ["paid", 1, 300_000],
  ]);
  const rewards = (await (await as("yang-xue", "manager")).get("/rewards")).body.rewards;
  expect(rewards.map((r: { id: string; remaining: number | string }) => [r.id, r.remaining])).toEqual([
    ["book", 20],
    ["coffee-voucher", "unlimited"],
    ["learning-card", 49],
    ["training-seat", 3],
  ]);
  expect(demoAdmin).toBe("cao-yi");
  expect(await fundLedgerProblems([demoFund.fundId])).toEqual([]);
});
