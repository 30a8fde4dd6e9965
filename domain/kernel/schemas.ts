/**
 * Request and definition shapes: the single source of truth for validation, for the types the
 * code uses (z.infer) and for the OpenAPI document.
 */
import { capabilities, tiers } from "./model.ts";
import * as z from "./zod/index.ts";

export const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
export const Id = z.string().check(z.regex(idPattern, "use 1 to 64 letters, digits, '-' or '_'"));

/** Amounts are integers; the cap keeps every sum far inside Number.MAX_SAFE_INTEGER. */
export const Amount = z.number().check(z.int("must be a whole number"), z.positive("must be positive"), z.lte(1_000_000_000));

export const CapabilitySchema = z.enum(capabilities as [string, ...string[]]).register(z.globalRegistry, { id: "Capability" });
export const TierSchema = z.enum(tiers).register(z.globalRegistry, { id: "Tier" });

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();
export const Reason = z.string().check(z.trim(), z.minLength(1, "say why"), z.maxLength(500));

export const localizedText = (max: number) =>
  z.strictObject({
    zh: z.string().check(z.trim(), z.minLength(1, "give the Chinese text"), z.maxLength(max)),
    en: z.string().check(z.trim(), z.minLength(1, "give the English text"), z.maxLength(max)),
  });

export const PointsSchema = z.strictObject({ capability: CapabilitySchema, amount: Amount });
export const BadgeLevelSchema = z.strictObject({ badgeId: Id, level: z.number().check(z.int(), z.gte(1), z.lte(10)) });

export const IdempotencyKey = z
  .string()
  .check(z.minLength(8, "use at least 8 characters, e.g. a UUID"), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/, "printable ASCII only"));

/** A second admin approves a definition change by the proposal number they reviewed. */
export const ApprovalRequest = z
  .strictObject({ proposal: z.number().check(z.int("must be a whole number"), z.gte(1), z.lte(1_000_000)) })
  .register(z.globalRegistry, { id: "ApprovalRequest" });

/**
 * A dry run of a definition on chosen people's state now (a badge's levels, a reward's price):
 * the current version, or with `pending` the change waiting for approval.
 */
export const PeopleDryRunRequest = z
  .strictObject({
    personIds: z.array(Id).check(z.minLength(1, "name at least one person"), z.maxLength(100, "at most 100 people at once")),
    pending: z.optional(z.boolean()),
  })
  .register(z.globalRegistry, { id: "PeopleDryRunRequest" });
export type PeopleDryRunRequest = z.infer<typeof PeopleDryRunRequest>;
