/**
 * A stream batch's projections combined: one change per aggregate item, however many entries of
 * the batch touch it, so that a batch of a hundred entries writes each item once.
 *
 * Exactly once without a marker per entry: the stream delivers each chain's entries in `seq`
 * order (DynamoDB Streams keeps a partition key's records in order, and Lambda retries a shard
 * from a checkpoint, never skipping ahead), so a person's item records the highest `seq` it has
 * taken (`through`) and takes only entries after it. Duplicates, replays and retried batches
 * carry entries at or below it: no-ops. Org units' items are changed by many chains; they are
 * written in one transaction with each contributing person's all-time item, whose `through`
 * then also says which of that person's entries the units have taken.
 */
import type { Capability, PersonId } from "../kernel/model.ts";
import type { AggregateDelta, BoardPeriod, EntryProjection, Subject } from "./boards.ts";

/** What a set of entries adds to one aggregate item. */
export interface AggregateChange {
  subject: Subject;
  period: BoardPeriod;
  periodKey: string;
  points: number;
  byCapability: Partial<Record<Capability, number>>;
  /** How many entries the change combines. */
  entries: number;
  /** The highest chain `seq` among them: the item's new `through` when it belongs to a person. */
  throughSeq: number;
}

/** The stable name of an aggregate item: `person:<id>:<periodKey>` or `unit:<id>:<periodKey>`. */
export const aggregateKey = (delta: Pick<AggregateDelta, "subject" | "periodKey">): string =>
  `${delta.subject.kind}:${delta.subject.id}:${delta.periodKey}`;

/** Each chain's projections in `seq` order, once each (a batch may carry a record twice). */
export function byChain(projections: Iterable<EntryProjection>): Map<PersonId, EntryProjection[]> {
  const unique = new Map<string, EntryProjection>();
  for (const projection of projections) unique.set(projection.entryId, projection);
  const chains = new Map<PersonId, EntryProjection[]>();
  for (const projection of unique.values()) chains.set(projection.personId, [...(chains.get(projection.personId) ?? []), projection]);
  for (const chain of chains.values()) chain.sort((a, b) => a.seq - b.seq);
  return chains;
}

/** The projections' deltas that pass `wanted`, summed per aggregate item, in first-seen order. */
export function combine(
  projections: Iterable<EntryProjection>,
  wanted: (delta: AggregateDelta) => boolean = () => true,
): AggregateChange[] {
  const changes = new Map<string, AggregateChange>();
  for (const projection of projections) {
    for (const delta of projection.deltas) {
      if (!wanted(delta)) continue;
      const key = aggregateKey(delta);
      const change = changes.get(key) ?? {
        subject: delta.subject,
        period: delta.period,
        periodKey: delta.periodKey,
        points: 0,
        byCapability: {},
        entries: 0,
        throughSeq: 0,
      };
      change.points += delta.delta;
      change.byCapability[delta.capability] = (change.byCapability[delta.capability] ?? 0) + delta.delta;
      change.entries += 1;
      change.throughSeq = Math.max(change.throughSeq, projection.seq);
      changes.set(key, change);
    }
  }
  return [...changes.values()];
}

/** The projections a person's item has not taken yet, given its `through` (undefined: none taken). */
export const untaken = (projections: readonly EntryProjection[], through: number | undefined): EntryProjection[] =>
  through === undefined ? [...projections] : projections.filter((projection) => projection.seq > through);
