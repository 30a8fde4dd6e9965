/** What admins and finance send to move a person's balances by hand, and how history is paged. */
import { Amount, BadgeLevelSchema, Id, IsoDateTime, PointsSchema, Reason } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";

export const AwardRequest = z
  .strictObject({
    personId: Id,
    coins: z.optional(Amount),
    points: z.optional(PointsSchema),
    badge: z.optional(BadgeLevelSchema),
    reason: Reason,
    occurredAt: z.optional(IsoDateTime),
  })
  .check(
    z.refine((a) => a.coins !== undefined || a.points !== undefined || a.badge !== undefined, {
      message: "award coins, points or a badge level",
      path: ["coins"],
    }),
  )
  .register(z.globalRegistry, { id: "AwardRequest" });
export type AwardRequest = z.infer<typeof AwardRequest>;

export const DeductionRequest = z
  .strictObject({
    personId: Id,
    coins: z.optional(Amount),
    points: z.optional(PointsSchema),
    /** The kind of penalty, e.g. red-warning (五色预警) or arena; gates may ask for none recently. */
    category: z._default(Id, "penalty"),
    reason: Reason,
    occurredAt: z.optional(IsoDateTime),
  })
  .check(z.refine((d) => d.coins !== undefined || d.points !== undefined, { message: "deduct coins or points", path: ["coins"] }))
  .register(z.globalRegistry, { id: "DeductionRequest" });
export type DeductionRequest = z.infer<typeof DeductionRequest>;

export const ReversalRequest = z.strictObject({ reason: Reason }).register(z.globalRegistry, { id: "ReversalRequest" });
export type ReversalRequest = z.infer<typeof ReversalRequest>;

export const LedgerPageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});
