/** Request shapes of bounties: validation, types and the OpenAPI document. */
import { Amount, CapabilitySchema, Id, IsoDateTime, localizedText } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import { maxTeamMembers, wholeShare } from "./bounty.ts";

export const BountyRequest = z
  .strictObject({
    title: localizedText(100),
    description: localizedText(2000),
    /** The capability the problem trains: the reward's points carry it. */
    capability: CapabilitySchema,
    reward: z
      .strictObject({
        coins: z._default(z.number().check(z.int(), z.gte(0), z.lte(1_000_000)), 0),
        points: z._default(z.number().check(z.int(), z.gte(0), z.lte(1_000_000)), 0),
      })
      .check(z.refine((r) => r.coins + r.points > 0, { message: "reward coins, points or both", path: ["coins"] })),
    /** Money from a fund pool, in its minor units: reserved now, paid after the fund's approvals. */
    fund: z.optional(z.strictObject({ fundId: Id, amount: Amount })),
    deadline: IsoDateTime,
    maxTeams: z._default(z.number().check(z.int(), z.gte(1), z.lte(20)), 1),
  })
  .register(z.globalRegistry, { id: "BountyRequest" });
export type BountyRequest = z.infer<typeof BountyRequest>;

export const TakeRequest = z
  .strictObject({
    members: z
      .array(z.strictObject({ personId: Id, share: z.number().check(z.int(), z.gte(1), z.lte(wholeShare)) }))
      .check(z.minLength(1), z.maxLength(maxTeamMembers)),
  })
  .register(z.globalRegistry, { id: "BountyTakeRequest" });
export type TakeRequest = z.infer<typeof TakeRequest>;

export const DeliveryRequest = z
  .strictObject({
    link: z.url({ protocol: /^https?$/ }).check(z.maxLength(500)),
    note: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)),
  })
  .register(z.globalRegistry, { id: "BountyDeliveryRequest" });
export type DeliveryRequest = z.infer<typeof DeliveryRequest>;

export const JudgementRequest = z
  .strictObject({ decision: z.enum(["accept", "reject"]), reason: z.string().check(z.trim(), z.minLength(1, "say why"), z.maxLength(500)) })
  .register(z.globalRegistry, { id: "BountyJudgementRequest" });
export type JudgementRequest = z.infer<typeof JudgementRequest>;

export const ExpiryRequest = z
  .strictObject({ reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) })
  .register(z.globalRegistry, { id: "BountyExpiryRequest" });
export type ExpiryRequest = z.infer<typeof ExpiryRequest>;

export const BountyBoardQuery = z.strictObject({ view: z._default(z.enum(["open", "mine", "done", "all"]), "open") });

export const WinnersQuery = z.strictObject({
  by: z._default(z.enum(["person", "orgUnit"]), "person"),
  /** A year ("2026"), a quarter ("2026-Q3"), a month ("2026-11") or "all". */
  period: z._default(z.string().check(z.regex(/^(all|\d{4}|\d{4}-Q[1-4]|\d{4}-\d{2})$/, "use all, 2026, 2026-Q3 or 2026-11")), "all"),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
});
