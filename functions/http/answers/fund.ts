/** Answers of the innovation fund, coin budgets and the rewards catalog (the fund function). */
import { RewardDefinition } from "../../../domain/fund/index.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { Balances, Count, Cursor, definitionRead, definitionView, Instant, LedgerEntry, pendingChange, Signed } from "../answers.ts";

export const Fund = z
  .strictObject({
    fundId: z.string(),
    name: z.string(),
    description: z.optional(z.string()),
    currency: z.string(),
    period: z.string(),
    limits: z.strictObject({ perClaim: Count, perPersonInPeriod: Count }),
    twoApprovalsAbove: Count,
    createdAt: Instant,
    createdBy: z.string(),
  })
  .register(z.globalRegistry, { id: "Fund" });
export const FundTotals = z
  .strictObject({ currency: z.string(), deposited: Count, reserved: Count, paidOut: Count, clawedBack: Count, available: Signed })
  .register(z.globalRegistry, { id: "FundTotals" });
export const FundView = z
  .strictObject({ fund: Fund, totals: FundTotals, entries: z.optional(z.array(LedgerEntry)), cursor: z.optional(Cursor) })
  .register(z.globalRegistry, { id: "FundView" });
export const FundList = z.strictObject({ funds: z.array(FundView) });
export const DepositAnswer = z.strictObject({ entries: z.array(LedgerEntry), totals: FundTotals });

const ClaimStatus = z.enum(["pending", "paid", "rejected", "withdrawn"]);
export const Claim = z
  .strictObject({
    claimId: z.string(),
    fundId: z.string(),
    claimant: z.string(),
    claimantUnit: z.string(),
    scenario: z.string(),
    measuredValue: z.string(),
    evidence: z.array(z.string()),
    currency: z.string(),
    amount: Count,
    splitBy: z.enum(["amount", "share"]),
    parts: z.array(
      z.strictObject({
        personId: z.string(),
        amount: Count,
        share: z.optional(Count),
        payoutEntryId: z.optional(z.string()),
        clawbackEntryId: z.optional(z.string()),
      }),
    ),
    requiredApprovals: z.union([z.literal(1), z.literal(2)]),
    decisions: z.array(
      z.strictObject({ approverId: z.string(), decision: z.enum(["approve", "reject"]), comment: z.string(), at: Instant }),
    ),
    status: ClaimStatus,
    reservationEntryId: z.string(),
    settlementEntryIds: z.array(z.string()),
    clawedBack: Count,
    createdAt: Instant,
    updatedAt: Instant,
    version: Count,
    steps: Count,
  })
  .register(z.globalRegistry, { id: "Claim" });
const ClaimStep = z.strictObject({
  claimId: z.string(),
  step: Count,
  at: Instant,
  actor: z.string(),
  action: z.enum(["submitted", "approved", "rejected", "withdrawn", "posted", "clawed-back"]),
  status: ClaimStatus,
  comment: z.optional(z.string()),
  amount: z.optional(Count),
  entryIds: z.optional(z.array(z.string())),
});
export const ClaimView = z
  .strictObject({ claim: Claim, history: z.optional(z.array(ClaimStep)) })
  .register(z.globalRegistry, { id: "ClaimView" });
export const PersonFund = z.strictObject({
  personId: z.string(),
  /** Money received per currency, in its minor unit. */
  received: z.record(z.string(), Signed),
  claims: z.array(Claim),
  payouts: z.array(LedgerEntry),
});

/** Beside a reward's definition: what its stock has issued and what is left to redeem. */
const rewardStock = { issued: Signed, remaining: z.union([Signed, z.literal("unlimited")]) };
export const RewardView = z.extend(definitionView(RewardDefinition), rewardStock).register(z.globalRegistry, { id: "RewardView" });
export type RewardView = z.infer<typeof RewardView>;
export const RewardRead = definitionRead(RewardDefinition, rewardStock).register(z.globalRegistry, { id: "RewardRead" });
export const RewardProposal = pendingChange(RewardDefinition).register(z.globalRegistry, { id: "RewardProposal" });
/** A reward's price, stock and limit against chosen people's coins now. */
export const RewardDryRunAnswer = z
  .strictObject({
    reward: z.strictObject({ rewardId: z.string(), version: z.number().check(z.int(), z.gte(1)), pending: z.boolean() }),
    price: Count,
    offered: z.boolean(),
    stock: z.strictObject(rewardStock),
    /** The period the per-person limit counts in ("-" without a limit). */
    periodKey: z.string(),
    /** How many of the people could afford one. */
    canAfford: Count,
    people: z.array(
      z.strictObject({
        personId: z.string(),
        name: z.string(),
        coins: Signed,
        redeemedInPeriod: Count,
        canAfford: z.boolean(),
        couldRedeem: Count,
        coinsShort: Count,
      }),
    ),
    /** Ids named that are not in the directory. */
    unknown: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: "RewardDryRunAnswer" });
export const RewardList = z.strictObject({ rewards: z.array(RewardView) });
export const RedemptionAnswer = z.strictObject({
  entries: z.array(LedgerEntry),
  redemption: z.strictObject({ entryId: z.string(), rewardId: z.string(), quantity: Count, coins: Count, periodKey: z.string() }),
  balances: Balances,
});

export const Collection = z.strictObject({
  redemption: z.strictObject({
    entryId: z.string(),
    personId: z.string(),
    rewardId: z.string(),
    quantity: Count,
    collectedAt: Instant,
    collectedBy: z.string(),
  }),
});

export const BudgetStanding = z
  .strictObject({
    orgUnitId: z.string(),
    period: z.string(),
    version: z.number().check(z.int(), z.gte(1)),
    coins: Count,
    whenExhausted: z.enum(["refuse", "overspend", "hold"]),
    drawn: Count,
    left: Signed,
    overspent: Count,
    burnPerDay: z.number().check(z.gte(0)),
    forecast: Count,
    outstanding: Signed,
    asOf: Instant,
  })
  .register(z.globalRegistry, { id: "BudgetStanding" });
export const Budgets = z.strictObject({
  period: z.string(),
  /** The day (company calendar) the standings are at the end of. */
  asOf: z.iso.date(),
  budgets: z.array(BudgetStanding),
});
