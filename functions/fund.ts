/** Lambda: the innovation fund (pools, claims, decisions, clawbacks) and coin redemption. */
import { randomUUID } from "node:crypto";
import { FundService, RedemptionService } from "../domain/fund/index.ts";
import type { PersonId } from "../domain/kernel/model.ts";
import { withExplanation } from "../domain/ledger/index.ts";
import { createAdapters } from "./dynamo/adapters.ts";
import { DynamoFundStore } from "./dynamo/fund-store.ts";
import { httpHandler, written } from "./http/http.ts";
import { changeReply } from "./http/route.ts";

const adapters = createAdapters("fund");
const fundStore = new DynamoFundStore(adapters.db, adapters.tables);
const funds = new FundService({
  store: fundStore,
  ledger: adapters.ledgerStore,
  orgTree: () => adapters.directory.orgTree(),
  person: (personId) => adapters.directory.person(personId),
  clock: adapters.clock,
  newId: () => `clm-${randomUUID()}`,
});
const redemptions = new RedemptionService({
  ledger: adapters.ledgerStore,
  definitions: adapters.definitions,
  counters: fundStore,
  clock: adapters.clock,
  timeZone: adapters.timeZone,
  fourEyes: adapters.fourEyes,
});

export const handler = httpHandler(
  "fund",
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
    putReward: async ({ caller, params, body, ifMatch }) =>
      changeReply(await redemptions.putReward(caller, params.rewardId, body, ifMatch)),
    approveReward: async ({ caller, params, body }) => ({ body: await redemptions.approveReward(caller, params.rewardId, body.proposal) }),
    rewards: async () => ({ body: { rewards: await redemptions.rewards() } }),
    redeem: async ({ caller, body, idempotencyKey }) => written(await redemptions.redeem(caller, body, idempotencyKey)),
    cancelRedemption: async ({ caller, params, body, idempotencyKey }) =>
      written(await redemptions.cancel(caller, params.entryId, body, idempotencyKey)),
  },
  adapters,
);
