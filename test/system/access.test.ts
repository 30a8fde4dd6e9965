/**
 * Broken object-level authorisation, tried on every route that takes a person, claim or fund
 * id: a manager of another department is refused, the person themselves and their lead are not.
 */
import { describe, expect, it } from "vitest";
import type { RouteSpec } from "../../functions/http/route.ts";
import { routes } from "../../functions/http/routes.ts";
import { loadDemoAwards, loadDemoFund } from "../../scripts/demo-data.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as, type Client } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";

const { admin } = await withDemoDefinitions();
await loadDemoAwards((_method, url, body, key) => admin.post(url, body, { "idempotency-key": key ?? url }));
await loadDemoFund(dispatch, (personId, roles) => issuer.sign(personId, roles));

const target = "yang-xue"; // store-east, led by liu-yang
const outsider = await as("sun-li", "manager"); // heads the warehouse department
const self = await as(target, "manager");
const lead = await as("liu-yang", "manager");

/** A request each person route accepts when the caller may: a query or body where it needs one. */
const requestFor = (spec: RouteSpec) => {
  const url = spec.path.replace("{personId}", target) + (spec.path.endsWith("/eligibility") ? "?gate=base-to-middle" : "");
  const body = spec.path.endsWith("/notification-preferences")
    ? { language: "zh" }
    : spec.path.endsWith("/preferences")
      ? { leaderboardOptOut: false }
      : undefined;
  return { url, body };
};

const call = (client: Client, spec: RouteSpec) => {
  const { url, body } = requestFor(spec);
  if (spec.method === "GET") return client.get(url);
  if (spec.method === "PUT") return client.put(url, body);
  return client.post(url, body);
};

const personRoutes = (Object.entries(routes) as [string, RouteSpec][]).filter(
  // A person's revocation list is public by design: verifiers outside the company read it.
  ([, spec]) => spec.path.includes("{personId}") && !spec.path.startsWith("/admin/") && spec.auth === "token",
);

describe("every route that takes a person id", () => {
  it("covers the routes there are", () => {
    expect(personRoutes.map(([id]) => id).sort()).toEqual(
      [
        "badgeCredentials",
        "balances",
        "bell",
        "claimsWaiting",
        "eligibility",
        "ledger",
        "notificationPreferences",
        "personFund",
        "personRedemptions",
        "preferences",
        "putNotificationPreferences",
        "putPreferences",
      ].sort(),
    );
  });

  for (const [id, spec] of personRoutes) {
    it(`${spec.method} ${spec.path} (${id}): another department's manager gets 403, the person gets an answer`, async () => {
      const refused = await call(outsider, spec);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("forbidden");
      expect((await call(id === "claimsWaiting" ? await as(target, "approver", "manager") : self, spec)).status).toBeLessThan(300);
    });
  }

  it("a team lead reads their member's data on every read route but the member's own preferences and notifications", async () => {
    // A queue of claims to decide is the approver's own; redemptions are handed over by finance, not the lead.
    const own = ["preferences", "notificationPreferences", "bell", "claimsWaiting", "personRedemptions"];
    for (const [id, spec] of personRoutes.filter(([, s]) => s.method === "GET")) {
      expect((await call(lead, spec)).status, id).toBe(own.includes(id) ? 403 : 200);
    }
  });

  it("admin person routes are refused to managers and hr alike for writes", async () => {
    const hr = await as("deng-hua", "hr");
    const body = { name: "x", tier: "base", tierSince: "2026-01-01", orgUnitId: "fleet" };
    expect((await outsider.put(`/admin/people/${target}`, body)).status).toBe(403);
    expect((await hr.put(`/admin/people/${target}`, body)).status).toBe(403);
    expect((await outsider.get(`/admin/people/${target}`)).status).toBe(403);
  });
});

describe("claims and funds", () => {
  it("a claim is refused to an outside manager and readable by its claimant; a manager sees a pool's totals, not its ledger", async () => {
    const mine = await (await as("gao-bo", "manager")).get("/people/gao-bo/fund");
    const claimId = mine.body.claims[0].claimId as string;
    expect((await (await as("gao-bo", "manager")).get(`/claims/${claimId}`)).status).toBe(200);
    const refused = await (await as("liu-yang", "manager")).get(`/claims/${claimId}`);
    expect([refused.status, refused.body.code]).toEqual([403, "forbidden"]);
    const pool = await (await as("liu-yang", "manager")).get("/funds/innovation-2026");
    expect(pool.status).toBe(200);
    expect(pool.body.totals).toBeTruthy();
    expect(pool.body.entries).toBeUndefined();
    const decision = await (await as("liu-yang", "manager")).post(`/claims/${claimId}/decisions`, { decision: "approve", comment: "x" });
    expect(decision.status).toBe(403);
    const deposit = await (await as("liu-yang", "manager", "approver")).post("/funds/innovation-2026/deposits", {
      amount: 100,
      reason: "x",
    });
    expect([deposit.status, deposit.body.code]).toEqual([403, "forbidden"]);
    const clawback = await (await as("liu-yang", "manager", "approver")).post(`/claims/${claimId}/clawbacks`, { reason: "x" });
    expect(clawback.status).toBe(403);
  });
});
