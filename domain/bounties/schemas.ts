/** Request shapes of bounties: validation, types and the OpenAPI document. */
import * as z from "zod";
import { Amount, CapabilitySchema, Id, IsoDateTime, localizedText } from "../kernel/schemas.ts";
import { maxTeamMembers, wholeShare } from "./bounty.ts";

export const BountyRequest = z
  .strictObject({
    title: localizedText(100),
    description: localizedText(2000),
    /** The capability the problem trains: the reward's points carry it. */
    capability: CapabilitySchema,
    reward: z
      .strictObject({ coins: z.number().int().min(0).max(1_000_000).default(0), points: z.number().int().min(0).max(1_000_000).default(0) })
      .refine((r) => r.coins + r.points > 0, { message: "reward coins, points or both", path: ["coins"] }),
    /** Money from a fund pool, in its minor units: reserved now, paid after the fund's approvals. */
    fund: z.strictObject({ fundId: Id, amount: Amount }).optional(),
    deadline: IsoDateTime,
    maxTeams: z.number().int().min(1).max(20).default(1),
  })
  .meta({ id: "BountyRequest" });
export type BountyRequest = z.infer<typeof BountyRequest>;

export const TakeRequest = z
  .strictObject({
    members: z
      .array(z.strictObject({ personId: Id, share: z.number().int().min(1).max(wholeShare) }))
      .min(1)
      .max(maxTeamMembers),
  })
  .meta({ id: "BountyTakeRequest" });
export type TakeRequest = z.infer<typeof TakeRequest>;

export const DeliveryRequest = z
  .strictObject({ link: z.url({ protocol: /^https?$/ }).max(500), note: z.string().trim().min(1).max(1000) })
  .meta({ id: "BountyDeliveryRequest" });
export type DeliveryRequest = z.infer<typeof DeliveryRequest>;

export const JudgementRequest = z
  .strictObject({ decision: z.enum(["accept", "reject"]), reason: z.string().trim().min(1, "say why").max(500) })
  .meta({ id: "BountyJudgementRequest" });
export type JudgementRequest = z.infer<typeof JudgementRequest>;

export const ExpiryRequest = z.strictObject({ reason: z.string().trim().min(1).max(500) }).meta({ id: "BountyExpiryRequest" });
export type ExpiryRequest = z.infer<typeof ExpiryRequest>;

export const BountyBoardQuery = z.strictObject({ view: z.enum(["open", "mine", "done", "all"]).default("open") });

export const WinnersQuery = z.strictObject({
  by: z.enum(["person", "orgUnit"]).default("person"),
  /** A year ("2026"), a quarter ("2026-Q3"), a month ("2026-11") or "all". */
  period: z
    .string()
    .regex(/^(all|\d{4}|\d{4}-Q[1-4]|\d{4}-\d{2})$/, "use all, 2026, 2026-Q3 or 2026-11")
    .default("all"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
