/** Request shapes of the fund and the rewards catalog: validation, types and the OpenAPI document. */
import * as z from "zod";
import { periodOfKey, periods } from "../kernel/periods.ts";
import { Amount, Id } from "../kernel/schemas.ts";
import { redemptionStatuses } from "./redemptions.ts";

const Reason = z.string().trim().min(1, "say why").max(500);
const Text = (max: number) => z.string().trim().min(1).max(max);

const PeriodKey = z.string().refine(
  (key) => {
    try {
      periodOfKey(key);
      return true;
    } catch {
      return false;
    }
  },
  { message: "use a period key such as 2026, 2026-Q3 or 2026-11" },
);

export const FundInput = z
  .strictObject({
    fundId: Id,
    name: Text(100),
    description: Text(1000).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, "use an ISO 4217 code such as CNY"),
    period: PeriodKey,
    limits: z.strictObject({ perClaim: Amount, perPersonInPeriod: Amount }),
    twoApprovalsAbove: z.number().int().min(0).max(1_000_000_000),
  })
  .meta({ id: "FundInput" });
export type FundInput = z.infer<typeof FundInput>;

export const DepositRequest = z
  .strictObject({ amount: Amount, reason: Reason, occurredAt: z.iso.datetime({ offset: true }).optional() })
  .meta({ id: "DepositRequest" });
export type DepositRequest = z.infer<typeof DepositRequest>;

const Member = Id;

export const ClaimRequest = z
  .strictObject({
    scenario: Text(500),
    measuredValue: Text(500),
    evidence: z
      .array(z.url({ protocol: /^https?$/ }).max(500))
      .max(10)
      .default([]),
    amount: Amount,
    split: z.discriminatedUnion("by", [
      z.strictObject({
        by: z.literal("amount"),
        parts: z
          .array(z.strictObject({ personId: Member, amount: Amount }))
          .min(1)
          .max(20),
      }),
      z.strictObject({
        by: z.literal("share"),
        parts: z
          .array(z.strictObject({ personId: Member, share: z.number().int().min(1).max(1_000_000) }))
          .min(1)
          .max(20),
      }),
    ]),
  })
  .meta({ id: "ClaimRequest" });
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const DecisionRequest = z
  .strictObject({ decision: z.enum(["approve", "reject"]), comment: Text(1000) })
  .meta({ id: "DecisionRequest" });
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const WithdrawalRequest = z.strictObject({ reason: Reason }).meta({ id: "WithdrawalRequest" });
export type WithdrawalRequest = z.infer<typeof WithdrawalRequest>;

export const ClawbackRequest = z
  .strictObject({ reason: Reason, personIds: z.array(Id).min(1).max(20).optional() })
  .meta({ id: "ClawbackRequest" });
export type ClawbackRequest = z.infer<typeof ClawbackRequest>;

export const FundPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

// Rewards catalog and redemption

export const RewardDefinition = z
  .strictObject({
    name: z.strictObject({ zh: Text(100), en: Text(100).optional() }),
    description: Text(1000).optional(),
    /** How a redeemer collects it (where, when, whom to ask), shown with their redemptions. */
    collect: z.strictObject({ zh: Text(300), en: Text(300).optional() }).optional(),
    /** Price in coins. */
    price: Amount,
    /** How many can be redeemed in all (net of cancellations), or "unlimited". */
    stock: z.union([z.number().int().min(0).max(1_000_000), z.literal("unlimited")]),
    perPersonLimit: z.strictObject({ count: z.number().int().min(1).max(1000), period: z.enum(periods) }).optional(),
    active: z.boolean().default(true),
  })
  .meta({ id: "RewardDefinition" });
export type RewardDefinition = z.infer<typeof RewardDefinition>;

export const RedemptionRequest = z
  .strictObject({ rewardId: Id, quantity: z.number().int().min(1).max(10).default(1) })
  .meta({ id: "RedemptionRequest" });
export type RedemptionRequest = z.infer<typeof RedemptionRequest>;

export const CancellationRequest = z.strictObject({ reason: Reason }).meta({ id: "RedemptionCancellationRequest" });
export type CancellationRequest = z.infer<typeof CancellationRequest>;

export const RedemptionListQuery = z.strictObject({
  status: z.enum(redemptionStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type RedemptionListQuery = z.infer<typeof RedemptionListQuery>;
