/**
 * Leaderboards (the arena, 擂台: docs/GLOSSARY.md): what a ledger entry adds to the per-period
 * point aggregates, and how a board is ranked. Pure: no I/O, no clock (callers pass times in).
 *
 * Aggregates: per person and per org unit (the person's unit and every unit above it except the
 * root, whose total no board compares), per period (ISO week, month, quarter, year in the
 * company's time zone, and all time), each with the point total and the points per capability.
 */
import type { OrgTree } from "../directory/index.ts";
import { type Capability, capabilities, type OrgUnitId, type PersonId, parseAsset } from "../kernel/model.ts";
import { periodKey } from "../kernel/periods.ts";
import type { LedgerEntry } from "../ledger/index.ts";

export const boardPeriods = ["week", "month", "quarter", "year", "all"] as const;
export type BoardPeriod = (typeof boardPeriods)[number];

/** The key of the period an instant falls in: "2026-W49", "2026-11", "2026-Q4", "2026" or "all". */
export const boardPeriodKey = (instant: string | Date, period: BoardPeriod, timeZone: string): string =>
  period === "all" ? "all" : periodKey(instant, period, timeZone);

export type Subject = { kind: "person"; id: PersonId } | { kind: "unit"; id: OrgUnitId };

/** One aggregate an entry changes: the points of `subject` in the period `periodKey`. */
export interface AggregateDelta {
  subject: Subject;
  period: BoardPeriod;
  periodKey: string;
  capability: Capability;
  /** Signed: awards add, deductions and reversals of awards subtract. */
  delta: number;
}

/** What projecting one entry does: every aggregate it changes, applied together or not at all. */
export interface EntryProjection {
  entryId: string;
  /** The entry's place in its holder's chain: the stream delivers a chain's entries in this order. */
  seq: number;
  personId: PersonId;
  capability: Capability;
  delta: number;
  /** The person's org units whose aggregates the entry changes, nearest first (the group's level excluded). */
  units: OrgUnitId[];
  deltas: AggregateDelta[];
}

/**
 * The signed change an entry makes to its holder's points, or undefined when the entry moves
 * no person's points (coins, badges, money, fund chains). The same rule as the chain's fold.
 */
export function pointChange(entry: LedgerEntry): { personId: PersonId; capability: Capability; delta: number } | undefined {
  if (!entry.holder.startsWith("person:") || !entry.asset.startsWith("point:")) return undefined;
  const asset = parseAsset(entry.asset);
  if (asset.kind !== "point" || !capabilities.includes(asset.capability)) return undefined;
  const delta = entry.to === entry.holder ? entry.amount : entry.from === entry.holder ? -entry.amount : 0;
  if (delta === 0) return undefined;
  return { personId: entry.holder.slice("person:".length) as PersonId, capability: asset.capability, delta };
}

/**
 * The org units whose aggregates an entry of a person in `unitId` changes: the unit and its
 * ancestors, nearest first, without the root. The root (the group) has no siblings to be
 * compared with, and its aggregate would be one item written by every event in the company.
 */
export function aggregateUnits(tree: OrgTree, unitId: OrgUnitId | undefined): OrgUnitId[] {
  if (unitId === undefined) return [];
  return tree
    .lineage(unitId)
    .filter((unit) => unit.parentId !== undefined)
    .map((unit) => unit.orgUnitId);
}

/**
 * The aggregates an entry changes, by the period its `occurredAt` falls in, in the company's
 * time zone. A reversal or deduction counts in the period it occurred in, as entries do.
 */
export function projectEntry(entry: LedgerEntry, units: readonly OrgUnitId[], timeZone: string): EntryProjection | undefined {
  const change = pointChange(entry);
  if (!change) return undefined;
  const subjects: Subject[] = [{ kind: "person", id: change.personId }, ...units.map((id): Subject => ({ kind: "unit", id }))];
  const deltas = subjects.flatMap((subject) =>
    boardPeriods.map((period) => ({
      subject,
      period,
      periodKey: boardPeriodKey(entry.occurredAt, period, timeZone),
      capability: change.capability,
      delta: change.delta,
    })),
  );
  return { entryId: entry.entryId, seq: entry.seq, ...change, units: [...units], deltas };
}

/** An aggregate as stored: the points total and per capability of one subject in one period. */
export interface Aggregate {
  points: number;
  byCapability: Partial<Record<Capability, number>>;
}

export const emptyAggregate = (): Aggregate => ({ points: 0, byCapability: {} });

/** Folds projections in memory: the reference the stored aggregates must equal. */
export function foldProjections(projections: Iterable<EntryProjection>): Map<string, Aggregate> {
  const aggregates = new Map<string, Aggregate>();
  for (const projection of projections) {
    for (const d of projection.deltas) {
      const key = `${d.subject.kind}:${d.subject.id}:${d.periodKey}`;
      const aggregate = aggregates.get(key) ?? emptyAggregate();
      aggregate.points += d.delta;
      aggregate.byCapability[d.capability] = (aggregate.byCapability[d.capability] ?? 0) + d.delta;
      aggregates.set(key, aggregate);
    }
  }
  return aggregates;
}

export interface Scored {
  id: string;
  score: number;
}

export interface Ranked extends Scored {
  rank: number;
}

/** The deterministic order of a board, stated in every answer. */
export const boardOrder = "score descending; equal scores share a rank (1, 1, 3) and are listed by id ascending";

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Standard competition ranking: sorted by score descending, ties by id ascending (code-unit
 * order, independent of locale); equal scores share the rank of the first of them (1, 1, 3).
 */
export function rankBoard(rows: readonly Scored[]): Ranked[] {
  const sorted = [...rows].sort((a, b) => b.score - a.score || byId(a.id, b.id));
  const ranked: Ranked[] = [];
  for (const [index, row] of sorted.entries()) {
    const previous = ranked[index - 1];
    ranked.push({ ...row, rank: previous && previous.score === row.score ? previous.rank : index + 1 });
  }
  return ranked;
}

/** The top `limit` of a ranked board, and the row of `selfId` wherever it is (undefined if absent). */
export function topAndSelf(
  ranked: readonly Ranked[],
  limit: number,
  selfId: string | undefined,
): { top: Ranked[]; self: Ranked | undefined } {
  return { top: ranked.slice(0, limit), self: selfId === undefined ? undefined : ranked.find((row) => row.id === selfId) };
}
