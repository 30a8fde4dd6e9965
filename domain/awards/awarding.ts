/**
 * From decided awards to ledger entries on one person's chain: the grants' coins and points,
 * then every badge level they make the person reach, each with the coins and points it grants.
 */

import { type AssetKey, assetKey, type Capability, type EntryId, parseAsset, personAccount, systemAccount } from "../kernel/model.ts";
import type { EntrySnapshot } from "../ledger/index.ts";
import {
  type Actor,
  appendMovements,
  type Cause,
  type ChainState,
  type LedgerEntry,
  type Movement,
  type RuleState,
  reversalOf,
} from "../ledger/index.ts";
import { type Badge, type BadgeLevelChange, type BadgeProgress, badgeLevelsLost, badgeLevelsReached } from "./badges.ts";
import type { Grant } from "./rules.ts";

interface AwardContext {
  actor: Actor;
  occurredAt: string;
  recordedAt: string;
}

/** What badge criteria are checked against, from a chain head and the rule progress beside it. */
export function progressOf(chain: ChainState, ruleState: RuleState): BadgeProgress {
  const pointsByCapability: Partial<Record<Capability, number>> = {};
  const heldLevels = new Set<AssetKey>();
  for (const [key, amount] of Object.entries(chain.balances) as [AssetKey, number][]) {
    const asset = parseAsset(key);
    if (asset.kind === "point") pointsByCapability[asset.capability] = amount;
    if (asset.kind === "badge" && amount > 0) heldLevels.add(key);
  }
  return { pointsByCapability, ruleState, heldLevels };
}

export function grantMovements(grant: Grant, context: AwardContext): Movement[] {
  const base = {
    kind: "award" as const,
    from: systemAccount("issuer"),
    to: personAccount(grant.personId),
    reason: grant.reason,
    cause: grant.cause,
    actor: context.actor,
    rule: grant.rule,
    occurredAt: context.occurredAt,
  };
  return [
    ...(grant.coins ? [{ ...base, asset: assetKey({ kind: "coin" }), amount: grant.coins }] : []),
    ...(grant.points
      ? [{ ...base, asset: assetKey({ kind: "point", capability: grant.points.capability }), amount: grant.points.amount }]
      : []),
  ];
}

function levelMovements(level: BadgeLevelChange, person: ChainState["holder"], context: AwardContext): Movement[] {
  const levelBase = {
    kind: "award" as const,
    from: systemAccount("issuer"),
    to: person,
    actor: context.actor,
    occurredAt: context.occurredAt,
  };
  const reason = `获得勋章「${level.name.zh}」`;
  const cause: Cause = {
    code: "badge",
    params: { badgeId: level.badgeId, level: level.level, badge: level.badgeName, levelName: level.name },
  };
  const base = { ...levelBase, cause };
  const grants = level.grants;
  return [
    { ...base, asset: level.asset, amount: 1, reason },
    ...(grants?.coins ? [{ ...base, asset: "coin" as const, amount: grants.coins, reason, grantedWith: level.asset }] : []),
    ...(grants?.points
      ? [
          {
            ...base,
            asset: assetKey({ kind: "point", capability: grants.points.capability as Capability }),
            amount: grants.points.amount,
            reason,
            grantedWith: level.asset,
          },
        ]
      : []),
  ];
}

/** Appends the movements, then the badge levels they newly justify. */
export function appendWithBadges(
  chain: ChainState,
  movements: readonly Movement[],
  ruleState: RuleState,
  badges: readonly Badge[],
  context: AwardContext,
): { entries: LedgerEntry[]; state: ChainState } {
  const first = appendMovements(chain, movements, context.recordedAt);
  const reached = badgeLevelsReached(badges, progressOf(first.state, ruleState));
  if (reached.length === 0) return first;
  const second = appendMovements(
    first.state,
    reached.flatMap((level) => levelMovements(level, chain.holder, context)),
    context.recordedAt,
  );
  return { entries: [...first.entries, ...second.entries], state: second.state };
}

/** The badge levels a person holds that their points and rule counts no longer justify. */
export const levelsLost = (chain: ChainState, ruleState: RuleState, badges: readonly Badge[]): EntryId[] =>
  badgeLevelsLost(badges, progressOf(chain, ruleState)).flatMap((level) => chain.badgeEntries[level.asset] ?? []);

/**
 * Revoking a badge level reverses its entry and the coins and points granted with it (found
 * among `candidates`, the entries right after it), each unless already reversed.
 */
export function revocationMovements(
  badgeEntry: LedgerEntry,
  candidates: ReadonlyMap<EntryId, EntrySnapshot>,
  actor: Actor,
  reason: string,
  at: string,
): Movement[] {
  const grants = [...candidates.values()]
    .filter((s) => s.entry?.grantedWith === badgeEntry.asset && !s.reversedBy)
    .map((s) => s.entry as LedgerEntry);
  return [...grants, badgeEntry].map((entry) => reversalOf(entry, actor, reason, at));
}
