/** Answers of rules and badges as admins read and change them, rule dry runs and backtests (the admin function). */
import { BadgeDefinition, RuleDefinition } from "../../../domain/awards/index.ts";
import { backtestJobStatuses } from "../../../domain/backtests/index.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { Capability, Cause, Count, definitionRead, definitionView, Instant, pendingChange, Signed } from "../answers.ts";

export const RuleRead = definitionRead(RuleDefinition).register(z.globalRegistry, { id: "RuleRead" });
export const RuleVersion = definitionView(RuleDefinition).register(z.globalRegistry, { id: "RuleVersion" });
export const RuleProposal = pendingChange(RuleDefinition).register(z.globalRegistry, { id: "RuleProposal" });
export const BadgeRead = definitionRead(BadgeDefinition).register(z.globalRegistry, { id: "BadgeRead" });
export const BadgeVersion = definitionView(BadgeDefinition).register(z.globalRegistry, { id: "BadgeVersion" });
export type BadgeView = z.infer<typeof BadgeVersion>;
export const BadgeProposal = pendingChange(BadgeDefinition).register(z.globalRegistry, { id: "BadgeProposal" });
export const BadgeList = z.strictObject({ badges: z.array(BadgeVersion) });
/** Who would hold which level of a badge version, on chosen people's points and rule counts now. */
export const BadgeDryRunAnswer = z
  .strictObject({
    badge: z.strictObject({ badgeId: z.string(), version: z.number().check(z.int(), z.gte(1)), pending: z.boolean() }),
    /** Per level, how many of the people its criteria justify. */
    levels: z.array(z.strictObject({ level: Count, name: BadgeDefinition.shape.levels.def.element.shape.name, holders: Count })),
    people: z.array(
      z.strictObject({
        personId: z.string(),
        name: z.string(),
        held: z.array(Count),
        justified: z.array(Count),
        /** Levels they would be awarded with their next award. */
        wouldReach: z.array(Count),
        /** Levels they hold that this version would not justify (kept: a changed badge revokes nothing). */
        noLongerJustified: z.array(Count),
      }),
    ),
    /** Ids named that are not in the directory. */
    unknown: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: "BadgeDryRunAnswer" });

export const RuleSummary = z.strictObject({
  ruleId: z.string(),
  name: RuleDefinition.shape.name,
  award: RuleDefinition.shape.award,
  trigger: RuleDefinition.shape.trigger,
  team: z.boolean(),
});
export const RuleList = z.strictObject({ rules: z.array(RuleSummary) });

const Grant = z.strictObject({
  personId: z.string(),
  rule: z.strictObject({ ruleId: z.string(), version: Count }),
  reason: z.string(),
  cause: Cause,
  coins: z.optional(Count),
  points: z.optional(z.strictObject({ capability: Capability, amount: Count })),
});
export const DryRunAnswer = z.strictObject({
  rule: z.strictObject({ ruleId: z.string(), version: Count }),
  results: z.array(z.strictObject({ id: z.string(), grants: z.array(Grant), notes: z.array(z.string()) })),
  /** Each person's rule progress after the samples, to carry into the next dry run. */
  states: z.record(z.string(), z.unknown()),
});

// ---- Backtests ----

export const BacktestReport = z.strictObject({
  ruleId: z.string(),
  from: Instant,
  to: Instant,
  eventsReplayed: Count,
  eventsCounted: Count,
  rows: z.array(z.strictObject({ orgUnitId: z.string(), asset: z.string(), actual: Signed, wouldBe: Signed, change: Signed })),
  liabilityChange: Signed,
  /** People reaching each badge level per org unit: as the rules were, under the draft. */
  badges: z.array(
    z.strictObject({ orgUnitId: z.string(), badgeId: z.string(), level: Count, actual: Count, wouldBe: Count, change: Signed }),
  ),
  /** People who would newly meet or miss each promotion gate, per org unit. */
  gates: z.array(z.strictObject({ orgUnitId: z.string(), gateId: z.string(), newlyMeeting: Count, newlyMissing: Count })),
});

/** A backtest run as a job (domain/backtests): its progress, then its report or why it stopped. */
export const backtestJobAnswer = z
  .strictObject({
    backtestId: z.string(),
    ruleId: z.string(),
    from: z.string(),
    to: z.string(),
    replayFrom: z.optional(z.string()),
    by: z.string(),
    status: z.enum(backtestJobStatuses),
    startedAt: z.string(),
    updatedAt: z.string(),
    eventsReplayed: z.number().check(z.int(), z.gte(0)),
    percent: z.number().check(z.int(), z.gte(0), z.lte(100)),
    estimateSeconds: z.optional(z.number().check(z.int(), z.gte(0))),
    cancelRequested: z.optional(z.boolean()),
    report: z.optional(BacktestReport),
    problem: z.optional(z.strictObject({ code: z.string(), detail: z.string() })),
  })
  .register(z.globalRegistry, { id: "BacktestJob" });

/** A rule's backtest jobs, newest first (without their reports), and the cursor of the next page (null on the last). */
export const BacktestJobList = z
  .strictObject({
    backtests: z.array(
      z.extend(z.omit(backtestJobAnswer, { report: true }), {
        /** When it finished: done, failed or cancelled. */
        finishedAt: z.optional(z.string()),
      }),
    ),
    cursor: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: "BacktestJobList" });
