/**
 * Badges with levels (勋章等级), e.g. the certification ladder 数字化管理专员 → 数字化管理师 →
 * 数字化高级管理师. A level is reached when all its criteria hold on the person's points and rule
 * counts; a level held is an asset in the ledger ("badge:<badgeId>:<level>").
 */
import { DomainError } from "../kernel/errors.ts";
import { type AssetKey, assetKey, type Capability, parseAsset } from "../kernel/model.ts";
import { Amount, CapabilitySchema, Id, localizedText } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import type { RuleState } from "../ledger/index.ts";
import { AwardSchema, ruleCount } from "./rules.ts";

export const Criterion = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("points"), capability: z.optional(CapabilitySchema), atLeast: Amount }),
    z.strictObject({ kind: z.literal("ruleCount"), ruleId: Id, atLeast: Amount }),
  ],
  { error: "kind is points or ruleCount" },
);
export type Criterion = z.infer<typeof Criterion>;

const maxLevels = 5;

export const BadgeDefinition = z
  .strictObject({
    name: localizedText(100),
    description: localizedText(500),
    imageUrl: z.url({ protocol: /^https$/, error: "use an https URL" }),
    capability: CapabilitySchema,
    levels: z
      .array(
        z.strictObject({
          level: z.number().check(z.int("must be a whole number"), z.gte(1), z.lte(maxLevels)),
          name: localizedText(100),
          criteria: z.array(Criterion).check(z.minLength(1, "give at least one criterion"), z.maxLength(10, "give at most 10 criteria")),
          grants: z.optional(AwardSchema),
        }),
      )
      .check(z.minLength(1, "give at least one level"), z.maxLength(maxLevels, `a badge has at most ${maxLevels} levels`)),
  })
  .register(z.globalRegistry, { id: "BadgeDefinition" });
export type BadgeDefinition = z.infer<typeof BadgeDefinition>;
export type BadgeLevel = BadgeDefinition["levels"][number];

export type Badge = BadgeDefinition & { badgeId: string };

/** What badge criteria are checked against. */
export interface BadgeProgress {
  pointsByCapability: Partial<Record<Capability, number>>;
  ruleState: RuleState;
  /** The badge levels the person holds, as ledger assets. */
  heldLevels: ReadonlySet<AssetKey>;
}

export interface BadgeLevelChange {
  badgeId: string;
  level: number;
  asset: AssetKey;
  name: BadgeLevel["name"];
  /** The badge's own name, for the entry's cause. */
  badgeName: Badge["name"];
  grants?: BadgeLevel["grants"];
}

const criterionKey = (c: Criterion) => (c.kind === "points" ? `points:${c.capability ?? "*"}` : `ruleCount:${c.ruleId}`);

/**
 * The checks zod cannot make alone, for the admin API: levels numbered 1, 2, 3 in order, no
 * higher level asking less than a lower one of the same measure, and no criterion on an
 * unknown rule.
 */
export function checkBadgeDefinition(badge: BadgeDefinition, knownRuleIds: ReadonlySet<string>): void {
  const demanded = new Map<string, { level: number; atLeast: number }>();
  badge.levels.forEach((level, i) => {
    if (level.level !== i + 1) {
      throw new DomainError(
        "unprocessable",
        "badge-levels-out-of-order",
        `The level at position ${i + 1} is numbered ${level.level}; number the levels 1, 2, 3… in order.`,
        { position: i + 1, level: level.level },
      );
    }
    for (const criterion of level.criteria) {
      if (criterion.kind === "ruleCount" && !knownRuleIds.has(criterion.ruleId)) {
        throw new DomainError(
          "unprocessable",
          "badge-criterion-unknown-rule",
          `Level ${level.level} counts the events of rule "${criterion.ruleId}", which does not exist.`,
          { level: level.level, ruleId: criterion.ruleId },
        );
      }
      const key = criterionKey(criterion);
      const lower = demanded.get(key);
      if (lower && criterion.atLeast < lower.atLeast) {
        throw new DomainError(
          "unprocessable",
          "badge-levels-out-of-order",
          `Level ${level.level} asks for ${criterion.atLeast} (${key}), less than the ${lower.atLeast} of level ${lower.level}; a higher level cannot be easier.`,
          { level: level.level, criterion: key },
        );
      }
      demanded.set(key, { level: level.level, atLeast: criterion.atLeast });
    }
  });
}

function holds(criterion: Criterion, progress: BadgeProgress): boolean {
  if (criterion.kind === "ruleCount") return ruleCount(progress.ruleState, criterion.ruleId) >= criterion.atLeast;
  const points = progress.pointsByCapability;
  const total = criterion.capability
    ? (points[criterion.capability as Capability] ?? 0)
    : Object.values(points).reduce((sum, n) => sum + (n ?? 0), 0);
  return total >= criterion.atLeast;
}

function levelsOf(badge: Badge, progress: BadgeProgress) {
  const highest = badge.levels.findLastIndex((level) => level.criteria.every((c) => holds(c, progress))) + 1;
  return badge.levels.map((level) => {
    const asset = assetKey({ kind: "badge", badgeId: badge.badgeId, level: level.level });
    const change: BadgeLevelChange = { badgeId: badge.badgeId, level: level.level, asset, name: level.name, badgeName: badge.name };
    if (level.grants) change.grants = level.grants;
    return { change, justified: level.level <= highest, held: progress.heldLevels.has(asset) };
  });
}

/** Levels newly reached, lowest first; reaching a level brings every lower level not yet held. */
export const badgeLevelsReached = (badges: readonly Badge[], progress: BadgeProgress): BadgeLevelChange[] =>
  badges.flatMap((badge) =>
    levelsOf(badge, progress)
      .filter((l) => l.justified && !l.held)
      .map((l) => l.change),
  );

/** Held levels that no level at or above them justifies any more, highest first: to revoke. */
export const badgeLevelsLost = (badges: readonly Badge[], progress: BadgeProgress): BadgeLevelChange[] =>
  badges.flatMap((badge) =>
    levelsOf(badge, progress)
      .filter((l) => !l.justified && l.held)
      .map((l) => l.change)
      .reverse(),
  );

/**
 * A person's standing under a version of a badge (a dry run before approval): the levels they
 * hold, those the version's criteria justify on their points and rule counts now, the levels they
 * would be awarded with their next award, and held levels it would no longer justify (a changed
 * definition revokes nothing: they stay held).
 */
export interface BadgeStanding {
  held: number[];
  justified: number[];
  wouldReach: number[];
  noLongerJustified: number[];
}

export function badgeStanding(badge: Badge, progress: BadgeProgress): BadgeStanding {
  const levels = levelsOf(badge, progress);
  const justified = levels.filter((l) => l.justified).map((l) => l.change.level);
  const held = [...progress.heldLevels]
    .map(parseAsset)
    .flatMap((asset) => (asset.kind === "badge" && asset.badgeId === badge.badgeId ? [asset.level] : []))
    .sort((a, b) => a - b);
  return {
    held,
    justified,
    wouldReach: justified.filter((level) => !held.includes(level)),
    noLongerJustified: held.filter((level) => !justified.includes(level)),
  };
}
