/** Answers of the innovation fund, coin budgets and the rewards catalog (the fund function). */
import * as z from "zod";
import { RewardDefinition } from "../../../domain/fund/index.ts";
import { Balances, Count, Cursor, definitionRead, definitionView, Instant, LedgerEntry, pendingChange, Signed } from "../answers.ts";

export const Fund = z
  .strictObject({
    fundId: z.string(),
    name: z.string(),
    description: z.string().optional(),
    currency: z.string(),
    period: z.string(),
    limits: z.strictObject({ perClaim: Count, perPersonInPeriod: Count }),
    twoApprovalsAbove: Count,
    createdAt: Instant,
    createdBy: z.string(),
  })
  .meta({ id: "Fund" });
export const FundTotals = z
  .strictObject({ currency: z.string(), deposited: Count, reserved: Count, paidOut: Count, clawedBack: Count, available: Signed })
  .meta({ id: "FundTotals" });
export const FundView = z
  .strictObject({ fund: Fund, totals: FundTotals, entries: z.array(LedgerEntry).optional(), cursor: Cursor.optional() })
  .meta({ id: "FundView" });
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
        share: Count.optional(),
        payoutEntryId: z.string().optional(),
        clawbackEntryId: z.string().optional(),
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
  .meta({ id: "Claim" });
const ClaimStep = z.strictObject({
  claimId: z.string(),
  step: Count,
  at: Instant,
  actor: z.string(),
  action: z.enum(["submitted", "approved", "rejected", "withdrawn", "posted", "clawed-back"]),
  status: ClaimStatus,
  comment: z.string().optional(),
  amount: Count.optional(),
  entryIds: z.array(z.string()).optional(),
});
export const ClaimView = z.strictObject({ claim: Claim, history: z.array(ClaimStep).optional() }).meta({ id: "ClaimView" });
export const PersonFund = z.strictObject({
  personId: z.string(),
  /** Money received per currency, in its minor unit. */
  received: z.record(z.string(), Signed),
  claims: z.array(Claim),
  payouts: z.array(LedgerEntry),
});

/** Beside a reward's definition: what its stock has issued and what is left to redeem. */
const rewardStock = { issued: Signed, remaining: z.union([Signed, z.literal("unlimited")]) };
export const RewardView = definitionView(RewardDefinition).extend(rewardStock).meta({ id: "RewardView" });
export type RewardView = z.infer<typeof RewardView>;
export const RewardRead = definitionRead(RewardDefinition, rewardStock).meta({ id: "RewardRead" });
export const RewardProposal = pendingChange(RewardDefinition).meta({ id: "RewardProposal" });
/** A reward's price, stock and limit against chosen people's coins now. */
export const RewardDryRunAnswer = z
  .strictObject({
    reward: z.strictObject({ rewardId: z.string(), version: z.number().int().min(1), pending: z.boolean() }),
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
  .meta({ id: "RewardDryRunAnswer" });
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
    version: z.number().int().min(1),
    coins: Count,
    whenExhausted: z.enum(["refuse", "overspend", "hold"]),
    drawn: Count,
    left: Signed,
    overspent: Count,
    burnPerDay: z.number().min(0),
    forecast: Count,
    outstanding: Signed,
    asOf: Instant,
  })
  .meta({ id: "BudgetStanding" });
export const Budgets = z.strictObject({
  period: z.string(),
  /** The day (company calendar) the standings are at the end of. */
  asOf: z.iso.date(),
  budgets: z.array(BudgetStanding),
});
