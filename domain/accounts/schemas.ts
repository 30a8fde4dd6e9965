/** What admins and finance send to move a person's balances by hand, and how history is paged. */
import * as z from "zod";
import { Amount, BadgeLevelSchema, Id, IsoDateTime, PointsSchema, Reason } from "../kernel/schemas.ts";

export const AwardRequest = z
  .strictObject({
    personId: Id,
    coins: Amount.optional(),
    points: PointsSchema.optional(),
    badge: BadgeLevelSchema.optional(),
    reason: Reason,
    occurredAt: IsoDateTime.optional(),
  })
  .refine((a) => a.coins !== undefined || a.points !== undefined || a.badge !== undefined, {
    message: "award coins, points or a badge level",
    path: ["coins"],
  })
  .meta({ id: "AwardRequest" });
export type AwardRequest = z.infer<typeof AwardRequest>;

export const DeductionRequest = z
  .strictObject({
    personId: Id,
    coins: Amount.optional(),
    points: PointsSchema.optional(),
    /** The kind of penalty, e.g. red-warning (五色预警) or arena; gates may ask for none recently. */
    category: Id.default("penalty"),
    reason: Reason,
    occurredAt: IsoDateTime.optional(),
  })
  .refine((d) => d.coins !== undefined || d.points !== undefined, { message: "deduct coins or points", path: ["coins"] })
  .meta({ id: "DeductionRequest" });
export type DeductionRequest = z.infer<typeof DeductionRequest>;

export const ReversalRequest = z.strictObject({ reason: Reason }).meta({ id: "ReversalRequest" });
export type ReversalRequest = z.infer<typeof ReversalRequest>;

export const LedgerPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
