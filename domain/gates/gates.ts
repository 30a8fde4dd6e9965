/**
 * Promotion-eligibility gates (晋升门槛): a gate names the tier it applies to and criteria that
 * must all hold. Evaluation is pure: it explains every criterion (required, actual, met, gap,
 * evidence) from the facts of one person as of one moment.
 */
import { EventTypeName } from "../awards/index.ts";
import type { Person } from "../directory/index.ts";
import { DomainError } from "../kernel/errors.ts";
import { type AssetKey, type Capability, capabilitiesByTier, parseAsset } from "../kernel/model.ts";
import { Amount, CapabilitySchema, Id, localizedText, TierSchema } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import type { ChainState, Measure, Penalty } from "../ledger/index.ts";

const Days = z.number().check(z.int(), z.gte(1), z.lte(3650));

/**
 * What a measure is counted in: "percent" (92 → 92%), or a word in both languages ({ zh: "门", en:
 * "courses" } → "3 门", "3 courses"). Definitions saved before units existed have none and keep
 * working: their values are shown as bare numbers.
 */
export const MeasureUnit = z.union([z.literal("percent"), localizedText(20)]).register(z.globalRegistry, { id: "MeasureUnit" });
export type MeasureUnit = z.infer<typeof MeasureUnit>;

/** A measure's value with its unit, in English (the API's `required` and `actual` are English). */
export const withUnit = (value: number, unit: MeasureUnit | undefined): string =>
  unit === undefined ? String(value) : unit === "percent" ? `${value}%` : `${value} ${unit.en}`;

export const GateCriterion = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("points"), atLeast: Amount }),
    z.strictObject({
      kind: z.literal("capabilityPoints"),
      /** "tier" means the three capabilities of the person's tier (三阶九力). */
      capabilities: z.union([z.literal("tier"), z.array(CapabilitySchema).check(z.minLength(1), z.maxLength(9))]),
      atLeastEach: Amount,
    }),
    z.strictObject({ kind: z.literal("badge"), badgeId: Id, minLevel: z.number().check(z.int(), z.gte(1), z.lte(5)) }),
    z.strictObject({
      kind: z.literal("measure"),
      eventType: EventTypeName,
      field: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "name a top-level numeric field of the event data")),
      atLeast: z.number(),
      label: z.optional(localizedText(100)),
      unit: z.optional(MeasureUnit),
    }),
    z.strictObject({
      kind: z.literal("noPenalty"),
      withinDays: Days,
      categories: z.optional(z.array(Id).check(z.minLength(1), z.maxLength(20))),
    }),
    z.strictObject({ kind: z.literal("tierTenure"), months: z.number().check(z.int(), z.gte(1), z.lte(600)) }),
  ],
  { error: "kind is points, capabilityPoints, badge, measure, noPenalty or tierTenure (coins are for spending, not a criterion)" },
);
export type GateCriterion = z.infer<typeof GateCriterion>;

export const GateDefinition = z
  .strictObject({
    name: localizedText(100),
    /** The tier of the people the gate is for, e.g. middle for "middle manager → senior manager". */
    tier: TierSchema,
    targetGrade: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    criteria: z.array(GateCriterion).check(z.minLength(1, "give at least one criterion"), z.maxLength(20)),
  })
  .register(z.globalRegistry, { id: "GateDefinition" });
export type GateDefinition = z.infer<typeof GateDefinition>;

/** What a gate is checked against, all as of one moment. */
export interface EligibilityFacts {
  person: Person;
  chain: ChainState;
  measures: Measure[];
  penalties: Penalty[];
  /** The moment the facts describe: now, or the end of the asOf day. */
  at: string;
}

export interface CriterionResult {
  criterion: GateCriterion;
  met: boolean;
  required: string;
  actual: string;
  /** How far from the requirement, in its unit; 0 when met. */
  gap: number;
  evidence: string[];
}

export interface GateResult {
  gate: { gateId: string; version: number };
  personId: string;
  eligible: boolean;
  at: string;
  criteria: CriterionResult[];
}

const pointsIn = (chain: ChainState, capability?: Capability): number =>
  (Object.entries(chain.balances) as [AssetKey, number][]).reduce((sum, [key, amount]) => {
    const asset = parseAsset(key);
    return asset.kind === "point" && (capability === undefined || asset.capability === capability) ? sum + amount : sum;
  }, 0);

/** Evidence for a balance: the chain it folds, up to the entry it stands at, and the head's hash. */
const chainEvidence = (chain: ChainState) =>
  chain.seq === 0 ? [] : [`${chain.holder.replace(":", ".")}.1…${chain.seq} (head ${chain.headHash.slice(0, 16)})`];

const monthsBetween = (from: string, to: string): number => {
  const a = new Date(`${from.slice(0, 10)}T00:00:00Z`);
  const b = new Date(to);
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  return b.getUTCDate() < a.getUTCDate() ? months - 1 : months;
};

function evaluateCriterion(criterion: GateCriterion, facts: EligibilityFacts): CriterionResult {
  const result = (met: boolean, required: string, actual: string, gap: number, evidence: string[]): CriterionResult => ({
    criterion,
    met,
    required,
    actual,
    gap: met ? 0 : gap,
    evidence,
  });
  switch (criterion.kind) {
    case "points": {
      const actual = pointsIn(facts.chain);
      return result(
        actual >= criterion.atLeast,
        `≥ ${criterion.atLeast} points`,
        `${actual} points`,
        criterion.atLeast - actual,
        chainEvidence(facts.chain),
      );
    }
    case "capabilityPoints": {
      const list = criterion.capabilities === "tier" ? capabilitiesByTier[facts.person.tier] : (criterion.capabilities as Capability[]);
      const actual = list.map((capability) => ({ capability, points: pointsIn(facts.chain, capability) }));
      const gap = actual.reduce((sum, a) => sum + Math.max(0, criterion.atLeastEach - a.points), 0);
      return result(
        gap === 0,
        `≥ ${criterion.atLeastEach} points in each of ${list.join(", ")}`,
        actual.map((a) => `${a.capability} ${a.points}`).join(", "),
        gap,
        chainEvidence(facts.chain),
      );
    }
    case "badge": {
      const held = (Object.entries(facts.chain.badgeEntries) as [AssetKey, string][])
        .map(([key, entryId]) => ({ asset: parseAsset(key), entryId }))
        .filter((b) => b.asset.kind === "badge" && b.asset.badgeId === criterion.badgeId)
        .map((b) => ({ level: (b.asset as { level: number }).level, entryId: b.entryId }))
        .sort((a, b) => b.level - a.level);
      const top = held[0];
      const level = top?.level ?? 0;
      return result(
        level >= criterion.minLevel,
        `${criterion.badgeId} at level ≥ ${criterion.minLevel}`,
        level ? `level ${level}` : "not held",
        criterion.minLevel - level,
        top ? [top.entryId] : [],
      );
    }
    case "measure": {
      const measure = facts.measures.find((m) => m.eventType === criterion.eventType);
      const value = measure?.values[criterion.field];
      if (measure === undefined || value === undefined) {
        return result(false, `${criterion.field} ≥ ${withUnit(criterion.atLeast, criterion.unit)}`, "not reported", criterion.atLeast, []);
      }
      return result(
        value >= criterion.atLeast,
        `${criterion.field} ≥ ${withUnit(criterion.atLeast, criterion.unit)}`,
        `${withUnit(value, criterion.unit)} (reported ${measure.time})`,
        criterion.atLeast - value,
        [`${measure.sourceId}/${measure.eventId}`],
      );
    }
    case "noPenalty": {
      const since = new Date(Date.parse(facts.at) - criterion.withinDays * 86_400_000).toISOString();
      const hits = facts.penalties.filter(
        (p) =>
          p.occurredAt > since &&
          p.occurredAt <= facts.at &&
          (criterion.categories === undefined || criterion.categories.includes(p.category)),
      );
      return result(
        hits.length === 0,
        `no ${criterion.categories?.join("/") ?? "penalty"} in the last ${criterion.withinDays} days`,
        hits.length === 0
          ? "none"
          : `${hits.length} (latest ${hits
              .map((h) => h.occurredAt)
              .sort()
              .at(-1)})`,
        hits.length,
        hits.map((h) => h.entryId),
      );
    }
    case "tierTenure": {
      const months = Math.max(0, monthsBetween(facts.person.tierSince, facts.at));
      return result(
        months >= criterion.months,
        `≥ ${criterion.months} months in tier ${facts.person.tier}`,
        `${months} months since ${facts.person.tierSince}`,
        criterion.months - months,
        [],
      );
    }
  }
}

export function evaluateGate(gate: { gateId: string; version: number; definition: GateDefinition }, facts: EligibilityFacts): GateResult {
  if (facts.person.tier !== gate.definition.tier) {
    throw new DomainError(
      "unprocessable",
      "gate-tier-mismatch",
      `Gate ${gate.gateId} is for ${gate.definition.tier} managers; ${facts.person.personId} is in the ${facts.person.tier} tier.`,
      { gateTier: gate.definition.tier, personTier: facts.person.tier },
    );
  }
  const criteria = gate.definition.criteria.map((criterion) => evaluateCriterion(criterion, facts));
  return {
    gate: { gateId: gate.gateId, version: gate.version },
    personId: facts.person.personId,
    eligible: criteria.every((c) => c.met),
    at: facts.at,
    criteria,
  };
}

/** The most common unmet criterion over many results, for HR's summary. */
export function summarise(results: readonly GateResult[]) {
  const missing = new Map<string, number>();
  for (const r of results) for (const c of r.criteria) if (!c.met) missing.set(c.required, (missing.get(c.required) ?? 0) + 1);
  const [mostCommonMissing, count] = [...missing].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [undefined, 0];
  return {
    checked: results.length,
    eligible: results.filter((r) => r.eligible).length,
    mostCommonMissing: mostCommonMissing ? { criterion: mostCommonMissing, people: count } : null,
  };
}
