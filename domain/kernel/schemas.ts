/**
 * Request and definition shapes: the single source of truth for validation, for the types the
 * code uses (z.infer) and for the OpenAPI document.
 */
import * as z from "zod";
import { orgUnitKinds } from "../directory/directory.ts";
import { capabilities, tiers } from "./model.ts";

export const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
export const Id = z.string().regex(idPattern, "use 1 to 64 letters, digits, '-' or '_'");

/** Amounts are integers; the cap keeps every sum far inside Number.MAX_SAFE_INTEGER. */
export const Amount = z.number().int("must be a whole number").positive("must be positive").max(1_000_000_000);

export const CapabilitySchema = z.enum(capabilities as [string, ...string[]]).meta({ id: "Capability" });
export const TierSchema = z.enum(tiers).meta({ id: "Tier" });

const IsoDateTime = z.iso.datetime({ offset: true });
const IsoDate = z.iso.date();
const Reason = z.string().trim().min(1, "say why").max(500);

export const PointsSchema = z.strictObject({ capability: CapabilitySchema, amount: Amount });
export const BadgeLevelSchema = z.strictObject({ badgeId: Id, level: z.number().int().min(1).max(10) });

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

export const PersonInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    tier: TierSchema,
    tierSince: IsoDate,
    orgUnitId: Id,
    managerId: Id.optional(),
  })
  .meta({ id: "PersonInput" });
export type PersonInput = z.infer<typeof PersonInput>;

export const OrgUnitInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(orgUnitKinds),
    parentId: Id.optional(),
    leadId: Id.optional(),
  })
  .meta({ id: "OrgUnitInput" });
export type OrgUnitInput = z.infer<typeof OrgUnitInput>;

export const LedgerPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const IdempotencyKey = z
  .string()
  .min(8, "use at least 8 characters, e.g. a UUID")
  .max(128)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII only");
