/** Routes of the fund area: innovation fund pools, claims and decisions, the rewards catalog and redemptions, coin budgets. */
import * as z from "zod";
import { BudgetDefinition, BudgetPeriod } from "../../../domain/budgets/index.ts";
import {
  CancellationRequest,
  ClaimRequest,
  ClawbackRequest,
  DecisionRequest,
  DepositRequest,
  FundInput,
  FundPageQuery,
  RedemptionListQuery,
  RedemptionRequest,
  RewardDefinition,
  WithdrawalRequest,
} from "../../../domain/fund/index.ts";
import { ApprovalRequest, Id } from "../../../domain/kernel/schemas.ts";
import {
  BudgetStanding,
  Budgets,
  Claim,
  ClaimView,
  Collection,
  DepositAnswer,
  FundList,
  FundView,
  PersonFund,
  RedemptionAnswer,
  RewardList,
  RewardProposal,
  RewardView,
} from "../answers/fund.ts";
import { csv } from "../answers.ts";
import { defineRoute } from "../route.ts";

const RewardChange = z.object({
  id: z.string(),
  proposal: z.number().int().min(1),
  basedOn: z.number().int().min(0),
  proposedAt: z.iso.datetime(),
  proposedBy: z.string(),
  definition: RewardDefinition,
});

/** A reward with its change waiting for approval; a reward only proposed so far is version 0 with its proposal. */
export const GetRewardAnswer = z
  .union([
    z.object({
      rewardId: z.string(),
      version: z.number().int().min(1),
      reward: RewardDefinition,
      issued: z.number().int(),
      remaining: z.union([z.number().int(), z.literal("unlimited")]),
      pending: RewardChange.optional(),
    }),
    z.object({ id: z.string(), version: z.literal(0), pending: RewardChange }),
  ])
  .meta({ id: "GetRewardAnswer" });

const Names = z.strictObject({ zh: z.string(), en: z.string().optional() });

/** A person's redemption as their list shows it: where it stands, and how to collect it. */
const RedemptionItem = z
  .strictObject({
    entryId: z.string(),
    personId: z.string(),
    seq: z.number().int().min(1),
    rewardId: z.string(),
    rewardVersion: z.number().int().min(1),
    reward: Names,
    quantity: z.number().int().min(1),
    coins: z.number().int().min(1),
    redeemedAt: z.iso.datetime(),
    status: z.enum(["placed", "collected", "cancelled"]),
    collect: Names.optional().describe("How to collect the reward: the reward's current instructions."),
    collectedAt: z.iso.datetime().optional(),
    collectedBy: z.string().optional(),
    cancelledAt: z.iso.datetime().optional(),
    cancelledBy: z.string().optional(),
    cancellationEntryId: z.string().optional(),
    cancelReason: z.string().optional(),
  })
  .meta({ id: "RedemptionItem" });

export const RedemptionList = z
  .strictObject({ redemptions: z.array(RedemptionItem), cursor: z.string().nullable() })
  .meta({ id: "RedemptionList" });

export const WaitingClaims = z.strictObject({ claims: z.array(Claim), cursor: z.string().nullable() }).meta({ id: "WaitingClaims" });

const FundParams = z.strictObject({ fundId: Id });
const ClaimParams = z.strictObject({ claimId: Id });

export const fundRoutes = {
  createFund: defineRoute({
    method: "POST",
    path: "/funds",
    area: "fund",
    auth: "token",
    summary: "Create a fund pool: name, currency (integer minor units), period, limits and the two-approval threshold (finance).",
    body: FundInput,
    success: { status: 201, description: "The pool, empty.", schema: FundView },
  }),
  funds: defineRoute({
    method: "GET",
    path: "/funds",
    area: "fund",
    auth: "token",
    summary: "Every fund pool with its totals (any signed-in user).",
    success: { status: 200, description: "The pools.", schema: FundList },
  }),
  fund: defineRoute({
    method: "GET",
    path: "/funds/{fundId}",
    area: "fund",
    auth: "token",
    summary: "A pool: deposited, reserved, paid out, clawed back, available; and its ledger for finance, approvers and admins.",
    params: FundParams,
    query: FundPageQuery,
    success: { status: 200, description: "The pool, its totals and a page of its entries.", schema: FundView },
  }),
  deposit: defineRoute({
    method: "POST",
    path: "/funds/{fundId}/deposits",
    area: "fund",
    auth: "token",
    summary: "Money into the pool from the budget account (finance).",
    params: FundParams,
    body: DepositRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The deposit entry and the pool's totals after it.", schema: DepositAnswer },
  }),
  submitClaim: defineRoute({
    method: "POST",
    path: "/funds/{fundId}/claims",
    area: "fund",
    auth: "token",
    summary: "Claim money for your own team (manager): reserves the amount in the pool, split by amount or by share.",
    params: FundParams,
    body: ClaimRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The claim, pending, with its reservation entry.", schema: ClaimView },
  }),
  claim: defineRoute({
    method: "GET",
    path: "/claims/{claimId}",
    area: "fund",
    auth: "token",
    summary: "A claim and its history (claimant, members, their leads, finance, approvers, admins).",
    params: ClaimParams,
    success: { status: 200, description: "The claim and every step of its history.", schema: ClaimView },
  }),
  decideClaim: defineRoute({
    method: "POST",
    path: "/claims/{claimId}/decisions",
    area: "fund",
    auth: "token",
    summary: "Approve or reject a pending claim (approver, from outside the claimant's team). The final approval pays it out.",
    params: ClaimParams,
    body: DecisionRequest,
    idempotencyKey: true,
    success: { status: 200, description: "The claim after the decision.", schema: ClaimView },
  }),
  withdrawClaim: defineRoute({
    method: "POST",
    path: "/claims/{claimId}/withdrawal",
    area: "fund",
    auth: "token",
    summary: "Withdraw your own pending claim (manager): the reservation is voided.",
    params: ClaimParams,
    body: WithdrawalRequest,
    idempotencyKey: true,
    success: { status: 200, description: "The claim, withdrawn.", schema: ClaimView },
  }),
  clawBack: defineRoute({
    method: "POST",
    path: "/claims/{claimId}/clawbacks",
    area: "fund",
    auth: "token",
    summary: "Claw back a paid claim's payouts, all or some members' (finance): reversal entries back into the pool.",
    params: ClaimParams,
    body: ClawbackRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The claim after the clawback.", schema: ClaimView },
  }),
  personFund: defineRoute({
    method: "GET",
    path: "/people/{personId}/fund",
    area: "fund",
    auth: "token",
    summary: "A person's fund claims and the payouts and clawbacks they received (self, team leads above, hr, admin, finance).",
    params: z.strictObject({ personId: Id }),
    success: { status: 200, description: "Claims, payouts and the money received per currency.", schema: PersonFund },
  }),
  claimsWaiting: defineRoute({
    method: "GET",
    path: "/people/{personId}/claims-waiting",
    area: "fund",
    auth: "token",
    summary:
      "The claims waiting for this approver's decision, oldest first: pending, neither their own, nor paying them, nor their team's, nor approved by them already (the approver themselves).",
    params: z.strictObject({ personId: Id }),
    query: FundPageQuery,
    success: {
      status: 200,
      description: "A page of claims the approver may decide on, and the cursor of the next.",
      schema: WaitingClaims,
    },
  }),
  personRedemptions: defineRoute({
    method: "GET",
    path: "/people/{personId}/redemptions",
    area: "fund",
    auth: "token",
    summary:
      "A person's redemptions, newest first, each placed, collected or cancelled, with how to collect it; ?status= for one status (self, finance, admin).",
    params: z.strictObject({ personId: Id }),
    query: RedemptionListQuery,
    success: { status: 200, description: "A page of redemptions and the cursor of the next.", schema: RedemptionList },
  }),
  putReward: defineRoute({
    method: "PUT",
    path: "/admin/rewards/{rewardId}",
    area: "fund",
    auth: "token",
    summary:
      "Define or change a reward of the coin catalog: price, stock or unlimited, per-person limit per period; under four eyes a proposal (202) (admin).",
    params: z.strictObject({ rewardId: Id }),
    body: RewardDefinition,
    etag: true,
    success: {
      status: 200,
      description: "The reward with its new version and what is left of its stock.",
      schema: RewardView,
      pending: RewardProposal,
    },
  }),
  getReward: defineRoute({
    method: "GET",
    path: "/admin/rewards/{rewardId}",
    area: "fund",
    auth: "token",
    summary: "A reward of the coin catalog, current version, and the change waiting for approval if any (admin, finance).",
    params: z.strictObject({ rewardId: Id }),
    success: {
      status: 200,
      description: "The reward, what is left of its stock and the pending change; version 0 when only proposed.",
      schema: GetRewardAnswer,
    },
  }),
  approveReward: defineRoute({
    method: "POST",
    path: "/admin/rewards/{rewardId}/approval",
    area: "fund",
    auth: "token",
    summary: "Approve the reward change waiting for a second admin; its author cannot (admin).",
    params: z.strictObject({ rewardId: Id }),
    body: ApprovalRequest,
    etag: true,
    success: { status: 200, description: "The reward with its new version and what is left of its stock.", schema: RewardView },
  }),
  putBudget: defineRoute({
    method: "PUT",
    path: "/budgets/{orgUnitId}/{period}",
    area: "fund",
    auth: "token",
    summary:
      "Set an org unit's coin budget for a month or a quarter, and whether an award it cannot hold is refused or issued and flagged (finance, admin).",
    params: z.strictObject({ orgUnitId: Id, period: BudgetPeriod }),
    body: BudgetDefinition,
    success: { status: 200, description: "The budget with its new version and its standing today.", schema: BudgetStanding },
  }),
  budgets: defineRoute({
    method: "GET",
    path: "/budgets",
    area: "fund",
    auth: "token",
    summary:
      "Every coin budget of a period: drawn, left, overspent, burn per day, forecast to the period's end and the coins its people hold; JSON, or CSV with Accept: text/csv (finance, admin).",
    query: z.strictObject({ period: BudgetPeriod }),
    success: { status: 200, description: "The budgets' standings.", schema: Budgets, alternatives: csv },
  }),
  rewards: defineRoute({
    method: "GET",
    path: "/rewards",
    area: "fund",
    auth: "token",
    summary: "The rewards catalog with prices and what is left (any signed-in user).",
    success: { status: 200, description: "The rewards.", schema: RewardList },
  }),
  redeem: defineRoute({
    method: "POST",
    path: "/redemptions",
    area: "fund",
    auth: "token",
    summary: "Redeem coins for a reward, for yourself (manager): coins and stock go down together, never below zero.",
    body: RedemptionRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The redemption entry and your balances after it.", schema: RedemptionAnswer },
  }),
  collectRedemption: defineRoute({
    method: "POST",
    path: "/redemptions/{entryId}/collection",
    area: "fund",
    auth: "token",
    summary:
      "Record that a redeemed reward was handed over (finance, admin; not one's own): its redeemer sees it as collected, with the day. Coins and stock do not move.",
    params: z.strictObject({ entryId: z.string().max(100) }),
    idempotencyKey: true,
    success: { status: 201, description: "The redemption with when and by whom it was handed over.", schema: Collection },
  }),
  cancelRedemption: defineRoute({
    method: "POST",
    path: "/redemptions/{entryId}/cancellation",
    area: "fund",
    auth: "token",
    summary: "Cancel a redemption (admin): a reversal returns the coins, and the stock comes back.",
    params: z.strictObject({ entryId: z.string().max(100) }),
    body: CancellationRequest,
    idempotencyKey: true,
    success: {
      status: 201,
      description: "The reversal entry, the redemption it cancels and the person's balances after it.",
      schema: RedemptionAnswer,
    },
  }),
} as const;
