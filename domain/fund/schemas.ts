/** Request shapes of the fund and the rewards catalog: validation, types and the OpenAPI document. */
import { periodOfKey, periods } from "../kernel/periods.ts";
import { Amount, Id } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import { redemptionStatuses } from "./redemptions.ts";

const Reason = z.string().check(z.trim(), z.minLength(1, "say why"), z.maxLength(500));
const Text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

const PeriodKey = z.string().check(
  z.refine(
    (key) => {
      try {
        periodOfKey(key);
        return true;
      } catch {
        return false;
      }
    },
    { message: "use a period key such as 2026, 2026-Q3 or 2026-11" },
  ),
);

export const FundInput = z
  .strictObject({
    fundId: Id,
    name: Text(100),
    description: z.optional(Text(1000)),
    currency: z.string().check(z.regex(/^[A-Z]{3}$/, "use an ISO 4217 code such as CNY")),
    period: PeriodKey,
    limits: z.strictObject({ perClaim: Amount, perPersonInPeriod: Amount }),
    twoApprovalsAbove: z.number().check(z.int(), z.gte(0), z.lte(1_000_000_000)),
  })
  .register(z.globalRegistry, { id: "FundInput" });
export type FundInput = z.infer<typeof FundInput>;

export const DepositRequest = z
  .strictObject({ amount: Amount, reason: Reason, occurredAt: z.optional(z.iso.datetime({ offset: true })) })
  .register(z.globalRegistry, { id: "DepositRequest" });
export type DepositRequest = z.infer<typeof DepositRequest>;

const Member = Id;

export const ClaimRequest = z
  .strictObject({
    scenario: Text(500),
    measuredValue: Text(500),
    evidence: z._default(z.array(z.url({ protocol: /^https?$/ }).check(z.maxLength(500))).check(z.maxLength(10)), []),
    amount: Amount,
    split: z.discriminatedUnion("by", [
      z.strictObject({
        by: z.literal("amount"),
        parts: z.array(z.strictObject({ personId: Member, amount: Amount })).check(z.minLength(1), z.maxLength(20)),
      }),
      z.strictObject({
        by: z.literal("share"),
        parts: z
          .array(z.strictObject({ personId: Member, share: z.number().check(z.int(), z.gte(1), z.lte(1_000_000)) }))
          .check(z.minLength(1), z.maxLength(20)),
      }),
    ]),
  })
  .register(z.globalRegistry, { id: "ClaimRequest" });
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const DecisionRequest = z
  .strictObject({ decision: z.enum(["approve", "reject"]), comment: Text(1000) })
  .register(z.globalRegistry, { id: "DecisionRequest" });
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const WithdrawalRequest = z.strictObject({ reason: Reason }).register(z.globalRegistry, { id: "WithdrawalRequest" });
export type WithdrawalRequest = z.infer<typeof WithdrawalRequest>;

export const ClawbackRequest = z
  .strictObject({ reason: Reason, personIds: z.optional(z.array(Id).check(z.minLength(1), z.maxLength(20))) })
  .register(z.globalRegistry, { id: "ClawbackRequest" });
export type ClawbackRequest = z.infer<typeof ClawbackRequest>;

export const FundPageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});

// Rewards catalog and redemption

export const RewardDefinition = z
  .strictObject({
    name: z.strictObject({ zh: Text(100), en: z.optional(Text(100)) }),
    description: z.optional(Text(1000)),
    /** How a redeemer collects it (where, when, whom to ask), shown with their redemptions. */
    collect: z.optional(z.strictObject({ zh: Text(300), en: z.optional(Text(300)) })),
    /** Price in coins. */
    price: Amount,
    /** How many can be redeemed in all (net of cancellations), or "unlimited". */
    stock: z.union([z.number().check(z.int(), z.gte(0), z.lte(1_000_000)), z.literal("unlimited")]),
    perPersonLimit: z.optional(z.strictObject({ count: z.number().check(z.int(), z.gte(1), z.lte(1000)), period: z.enum(periods) })),
    active: z._default(z.boolean(), true),
  })
  .register(z.globalRegistry, { id: "RewardDefinition" });
export type RewardDefinition = z.infer<typeof RewardDefinition>;

export const RedemptionRequest = z
  .strictObject({ rewardId: Id, quantity: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 1) })
  .register(z.globalRegistry, { id: "RedemptionRequest" });
export type RedemptionRequest = z.infer<typeof RedemptionRequest>;

export const CancellationRequest = z.strictObject({ reason: Reason }).register(z.globalRegistry, { id: "RedemptionCancellationRequest" });
export type CancellationRequest = z.infer<typeof CancellationRequest>;

export const RedemptionListQuery = z.strictObject({
  status: z.optional(z.enum(redemptionStatuses)),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});
export type RedemptionListQuery = z.infer<typeof RedemptionListQuery>;
