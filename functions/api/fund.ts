/** Lambda: the innovation fund (pools, claims, decisions, clawbacks) and coin redemption. */
import { randomUUID } from "node:crypto";
import { BudgetService, budgetsCsv } from "../../domain/budgets/index.ts";
import { FundService, RedemptionService } from "../../domain/fund/index.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { withExplanation } from "../../domain/ledger/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoFundStore } from "../dynamo/fund-store.ts";
import { DynamoBudgetStore } from "../dynamo/stores/budget-store.ts";
import { policyHolds } from "../dynamo/stores/review-store.ts";
import { fundRoutes } from "../http/areas/fund.routes.ts";
import { httpHandler, written } from "../http/http.ts";
import { changeReply } from "../http/route.ts";

const adapters = createAdapters("fund");
const fundStore = new DynamoFundStore(adapters.db, adapters.tables);
const funds = new FundService({
  store: fundStore,
  ledger: adapters.ledgerStore,
  orgTree: () => adapters.directory.orgTree(),
  person: (personId) => adapters.directory.person(personId),
  clock: adapters.clock,
  newId: () => `clm-${randomUUID()}`,
  holds: policyHolds(adapters.db, adapters.tables.state),
});
const redemptions = new RedemptionService({
  ledger: adapters.ledgerStore,
  definitions: adapters.definitions,
  counters: fundStore,
  lists: fundStore,
  clock: adapters.clock,
  timeZone: adapters.timeZone,
  fourEyes: adapters.fourEyes,
});
const budgets = new BudgetService({
  definitions: adapters.definitions,
  store: new DynamoBudgetStore(adapters.ledgerStore),
  orgTree: () => adapters.directory.orgTree(),
  peopleIn: async (orgUnitId) => {
    const units = (await adapters.directory.orgTree()).subtree(orgUnitId);
    return (await Promise.all(units.map((unit) => adapters.directory.peopleIn(unit)))).flat();
  },
  clock: adapters.clock,
  timeZone: adapters.timeZone,
});

export const handler = httpHandler(
  "fund",
  fundRoutes,
  {
    createFund: async ({ caller, body }) => ({ body: await funds.createFund(caller, body) }),
    funds: async ({ caller }) => ({ body: { funds: await funds.funds(caller) } }),
    fund: async ({ caller, params, query }) => ({ body: await funds.fund(caller, params.fundId, query.limit, query.cursor) }),
    deposit: async ({ caller, params, body, idempotencyKey }) => written(await funds.deposit(caller, params.fundId, body, idempotencyKey)),
    submitClaim: async ({ caller, params, body, idempotencyKey }) =>
      written(await funds.submitClaim(caller, params.fundId, body, idempotencyKey)),
    claim: async ({ caller, params }) => ({ body: await funds.claim(caller, params.claimId) }),
    decideClaim: async ({ caller, params, body, idempotencyKey }) =>
      written(await funds.decide(caller, params.claimId, body, idempotencyKey)),
    withdrawClaim: async ({ caller, params, body, idempotencyKey }) =>
      written(await funds.withdraw(caller, params.claimId, body, idempotencyKey)),
    clawBack: async ({ caller, params, body, idempotencyKey }) =>
      written(await funds.clawback(caller, params.claimId, body, idempotencyKey)),
    personFund: async ({ caller, params }) => {
      const fund = await funds.personFund(caller, params.personId as PersonId);
      return { body: { ...fund, payouts: fund.payouts.map(withExplanation) } };
    },
    claimsWaiting: async ({ caller, params, query }) => ({
      body: await funds.claimsWaiting(caller, params.personId as PersonId, query.limit, query.cursor),
    }),
    personRedemptions: async ({ caller, params, query }) => ({
      body: await redemptions.redemptions(caller, params.personId as PersonId, query),
    }),
    putBudget: async ({ caller, params, body }) => ({
      body: await budgets.put(caller, params.orgUnitId as OrgUnitId, params.period, body),
    }),
    budgets: async ({ caller, query, headers }) => {
      const report = await budgets.report(caller, query.period, query.asOf);
      if (headers.accept?.includes("text/csv"))
        return { body: budgetsCsv(report.budgets, report.asOf), contentType: "text/csv; charset=utf-8" };
      return { body: { period: query.period, ...report } };
    },
    putReward: async ({ caller, params, body, ifMatch }) =>
      changeReply(await redemptions.putReward(caller, params.rewardId, body, ifMatch)),
    getReward: async ({ caller, params }) => ({ body: await redemptions.reward(caller, params.rewardId) }),
    approveReward: async ({ caller, params, body }) => ({ body: await redemptions.approveReward(caller, params.rewardId, body.proposal) }),
    dryRunReward: async ({ caller, params, body }) => ({ body: await redemptions.dryRunReward(caller, params.rewardId, body) }),
    rewards: async () => ({ body: { rewards: await redemptions.rewards() } }),
    redeem: async ({ caller, body, idempotencyKey }) => written(await redemptions.redeem(caller, body, idempotencyKey)),
    collectRedemption: async ({ caller, params, idempotencyKey }) =>
      written(await redemptions.collect(caller, params.entryId, idempotencyKey)),
    cancelRedemption: async ({ caller, params, body, idempotencyKey }) =>
      written(await redemptions.cancel(caller, params.entryId, body, idempotencyKey)),
  },
  adapters,
);
