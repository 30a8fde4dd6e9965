/**
 * The pioneer index (先锋指数, seed 003): a composite score, a weighted sum of normalised
 * measures, defined by an admin (`PUT /admin/indices/{indexId}`, versioned like rules). Pure.
 *
 * Each measure is normalised by dividing by its maximum in the board (so the best entrant
 * scores 1 on it; negative values count as 0; a measure nobody has scores 0 for everyone),
 * then weighted; the weights sum to 1, so the index runs from 0 to 100.
 */
import type { Capability } from "../kernel/model.ts";
import { CapabilitySchema, Id } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import type { Aggregate } from "./boards.ts";

const Weight = z.number().check(z.positive("must be positive"), z.lte(1));

export const IndexMeasure = z.discriminatedUnion("measure", [
  /** Points in the board's period, all capabilities. */
  z.strictObject({ measure: z.literal("points"), weight: Weight }),
  /** Points in the board's period in one capability. */
  z.strictObject({ measure: z.literal("capabilityPoints"), capability: CapabilitySchema, weight: Weight }),
  /** Badge levels held now (of one badge, or of all): the honour system's visible part. */
  z.strictObject({ measure: z.literal("badgeLevels"), badgeId: z.optional(Id), weight: Weight }),
]);
export type IndexMeasure = z.infer<typeof IndexMeasure>;

/** Weights are decimals chosen by people: a sum within a millionth of 1 is 1. */
const weightTolerance = 1e-6;

export const IndexDefinition = z
  .strictObject({
    name: z.strictObject({
      zh: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
      en: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    }),
    description: z.optional(z.string().check(z.trim(), z.maxLength(500))),
    normalisation: z._default(z.literal("max"), "max"),
    measures: z.array(IndexMeasure).check(z.minLength(1), z.maxLength(10)),
  })
  .check(
    z.refine((d) => Math.abs(d.measures.reduce((sum, m) => sum + m.weight, 0) - 1) <= weightTolerance, {
      message: "the weights must sum to 1",
      path: ["measures"],
    }),
  )
  .register(z.globalRegistry, { id: "IndexDefinition" });
export type IndexDefinition = z.infer<typeof IndexDefinition>;

/** Whether the index needs the badge levels people hold (read from their balances). */
export const needsBadges = (index: IndexDefinition): boolean => index.measures.some((m) => m.measure === "badgeLevels");

/** What an entrant brings to an index: its period aggregate and the badge levels it holds. */
export interface IndexInput {
  aggregate: Aggregate;
  /** Badge assets held (`badge:<id>:<level>`); undefined for org units. */
  badges?: readonly string[];
}

export function measureValue(measure: IndexMeasure, input: IndexInput): number {
  switch (measure.measure) {
    case "points":
      return input.aggregate.points;
    case "capabilityPoints":
      return input.aggregate.byCapability[measure.capability as Capability] ?? 0;
    case "badgeLevels":
      return (input.badges ?? []).filter((asset) => measure.badgeId === undefined || asset.startsWith(`badge:${measure.badgeId}:`)).length;
  }
}

/** Index scores are shown and ranked with two decimals, so that equal-looking scores tie. */
const round2 = (value: number) => Math.round(value * 100) / 100;

/** The index of every entrant, 0 to 100, normalised within this board. */
export function indexScores(index: IndexDefinition, inputs: ReadonlyMap<string, IndexInput>): Map<string, number> {
  const ids = [...inputs.keys()];
  const totals = new Map(ids.map((id) => [id, 0]));
  for (const measure of index.measures) {
    const values = new Map(ids.map((id) => [id, Math.max(0, measureValue(measure, inputs.get(id) as IndexInput))]));
    const max = Math.max(0, ...values.values());
    if (max === 0) continue;
    for (const id of ids) totals.set(id, (totals.get(id) ?? 0) + (measure.weight * (values.get(id) ?? 0)) / max);
  }
  return new Map(ids.map((id) => [id, round2((totals.get(id) ?? 0) * 100)]));
}
