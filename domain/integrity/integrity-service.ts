/**
 * The detectors at work on a stream batch: the batch's records become observations, kept once
 * each; then each person the batch touched is judged on their window, each source on its daily
 * counts, and every flag opens its review item once (domain/integrity/reviews.ts).
 */
import type { PersonId } from "../kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../ledger/index.ts";
import { type Flag, type IntegritySettings, personFlags, sourceVelocity } from "./detectors.ts";
import { type EventObservation, type IdentifiedRule, observeCredit, observeEvent, observeRetraction } from "./observations.ts";
import type { ObservationGroup, ObservationStore, ReviewStore } from "./ports.ts";

export interface IntegrityDeps {
  observations: ObservationStore;
  reviews: Pick<ReviewStore, "open" | "known">;
  rules(): Promise<IdentifiedRule[]>;
  settings: IntegritySettings;
}

const dayMs = 86_400_000;

async function groupsOf(deps: IntegrityDeps, events: readonly EventRecord[], entries: readonly LedgerEntry[]): Promise<ObservationGroup[]> {
  const rules = events.some((e) => !e.retracts) ? await deps.rules() : [];
  const groups = await Promise.all(
    events.map(async (record): Promise<ObservationGroup> => {
      if (!record.retracts) {
        const counts = { sourceId: record.sourceId, eventId: record.eventId, day: record.recordedAt.slice(0, 10) };
        return { observations: observeEvent(record, rules, deps.settings.thresholdMargin), counts };
      }
      const original = await deps.observations.originalEvent(record.sourceId, record.retracts);
      return { observations: original ? observeRetraction(record, original) : [] };
    }),
  );
  const credits = entries.map((entry): ObservationGroup => ({ observations: observeCredit(entry) }));
  return [...groups, ...credits].filter((g) => g.observations.length > 0 || g.counts);
}

/** Observes a batch's event records and people's entries, judges what they touched, opens a review per new flag. */
export async function watch(deps: IntegrityDeps, events: readonly EventRecord[], entries: readonly LedgerEntry[]): Promise<Flag[]> {
  const groups = await groupsOf(deps, events, entries);
  if (groups.length === 0) return [];
  await deps.observations.observe(groups);
  const observed = groups.flatMap((g) => g.observations);
  const now =
    observed
      .map((o) => o.at)
      .sort()
      .at(-1) ?? new Date().toISOString();
  const since = new Date(Date.parse(now) - (deps.settings.baselineDays + 1) * dayMs).toISOString();
  const people = [...new Set(observed.map((o) => o.personId))];
  const sources = Map.groupBy(
    observed.filter((o): o is EventObservation => o.kind === "event"),
    (o) => o.sourceId,
  );
  const flags = (
    await Promise.all([
      ...people.map(async (personId: PersonId) =>
        personFlags(personId, await deps.observations.window(personId, since), now, deps.settings),
      ),
      ...[...sources].map(async ([sourceId, seen]) =>
        sourceVelocity(sourceId, await deps.observations.sourceDays(sourceId, since.slice(0, 10)), seen, now, deps.settings),
      ),
    ])
  ).flat();
  const unique = [...new Map(flags.map((flag) => [flag.flagId, flag])).values()];
  // A spike goes on for the rest of its day: every batch finds it again, and it is opened once.
  const known = unique.length === 0 ? new Set<string>() : await deps.reviews.known(unique.map((flag) => flag.flagId));
  for (const flag of unique.filter((f) => !known.has(f.flagId))) {
    const held = deps.settings.holdFlagged && flag.people.length > 0 ? { held: flag.people } : {};
    await deps.reviews.open({ ...flag, status: "open", ...held });
  }
  return unique;
}
