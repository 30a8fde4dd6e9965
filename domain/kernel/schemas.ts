/**
 * Request and definition shapes: the single source of truth for validation, for the types the
 * code uses (z.infer) and for the OpenAPI document.
 */
import * as z from "zod";
import { capabilities, tiers } from "./model.ts";

export const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
export const Id = z.string().regex(idPattern, "use 1 to 64 letters, digits, '-' or '_'");

/** Amounts are integers; the cap keeps every sum far inside Number.MAX_SAFE_INTEGER. */
export const Amount = z.number().int("must be a whole number").positive("must be positive").max(1_000_000_000);

export const CapabilitySchema = z.enum(capabilities as [string, ...string[]]).meta({ id: "Capability" });
export const TierSchema = z.enum(tiers).meta({ id: "Tier" });

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();
export const Reason = z.string().trim().min(1, "say why").max(500);

export const localizedText = (max: number) =>
  z.strictObject({
    zh: z.string().trim().min(1, "give the Chinese text").max(max),
    en: z.string().trim().min(1, "give the English text").max(max),
  });

export const PointsSchema = z.strictObject({ capability: CapabilitySchema, amount: Amount });
export const BadgeLevelSchema = z.strictObject({ badgeId: Id, level: z.number().int().min(1).max(10) });

export const IdempotencyKey = z
  .string()
  .min(8, "use at least 8 characters, e.g. a UUID")
  .max(128)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII only");

/** A second admin approves a definition change by the proposal number they reviewed. */
export const ApprovalRequest = z
  .strictObject({ proposal: z.number().int("must be a whole number").min(1).max(1_000_000) })
  .meta({ id: "ApprovalRequest" });

/**
 * A dry run of a definition on chosen people's state now (a badge's levels, a reward's price):
 * the current version, or with `pending` the change waiting for approval.
 */
export const PeopleDryRunRequest = z
  .strictObject({
    personIds: z.array(Id).min(1, "name at least one person").max(100, "at most 100 people at once"),
    pending: z.boolean().optional(),
  })
  .meta({ id: "PeopleDryRunRequest" });
export type PeopleDryRunRequest = z.infer<typeof PeopleDryRunRequest>;
