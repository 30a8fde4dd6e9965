/**
 * The detectors at work on a stream batch. Its accepted events are counted on their sources' days
 * (once per batch and source day, exactly once under the stream's retries); of its observations
 * only the unusual ones are kept (a retraction, a credit, a measure near a threshold, a resent
 * content): an ordinary event writes nothing, since the ledger holds it. Then each person the
 * batch touched is judged on a window made of their chain, what was kept and the batch, each
 * source on its daily counts, and every flag opens its review item once (domain/integrity/reviews.ts).
 */
import type { PersonId } from "../kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../ledger/index.ts";
import { type DetectorSettings, dayOf, type Flag, personFlags, sourceVelocity } from "./detectors.ts";
import {
  chainEvents,
  type EventObservation,
  type IdentifiedRule,
  type Observation,
  observeCredit,
  observeEvent,
  observeRetraction,
  retractedContents,
  windowOf,
  worthKeeping,
} from "./observations.ts";
import type { CountedEvent, ObservationStore, ReviewStore, StreamRange } from "./ports.ts";

export interface IntegrityDeps {
  observations: ObservationStore;
  reviews: Pick<ReviewStore, "open" | "known">;
  rules(): Promise<IdentifiedRule[]>;
  settings: DetectorSettings;
}

/** A stream batch as the detectors take it: its event records, people's entries and the records' range. */
export interface WatchedBatch {
  events: readonly EventRecord[];
  entries: readonly LedgerEntry[];
  range: StreamRange;
}

const dayMs = 86_400_000;

async function observationsOf(deps: IntegrityDeps, batch: WatchedBatch): Promise<Observation[]> {
  const rules = batch.events.some((e) => !e.retracts) ? await deps.rules() : [];
  const observed = await Promise.all(
    batch.events.map(async (record) => {
      if (!record.retracts) return observeEvent(record, rules, deps.settings.thresholdMargin);
      const original = await deps.observations.originalEvent(record.sourceId, record.retracts);
      return original ? observeRetraction(record, original) : [];
    }),
  );
  return [...observed.flat(), ...batch.entries.flatMap(observeCredit)];
}

/** The deepest a person's chain is read: far past any velocity worth flagging. */
const chainDepth = 2000;

/**
 * A person's recent chain, only as deep as velocity needs: the newest entries up to the daily
 * floor's number first; the whole window only when they, with the batch's, reach the floor today.
 * Below it no velocity flag is possible, and the baseline does not matter.
 */
async function chainOf(deps: IntegrityDeps, personId: PersonId, observed: readonly Observation[], since: string, now: string) {
  const { personDailyFloor: floor, timeZone } = deps.settings;
  const newest = await deps.observations.chain(personId, since, floor);
  if (newest.length < floor) return newest;
  const today = dayOf(now, timeZone);
  const awarded = [...chainEvents(personId, newest), ...observed].filter(
    (o): o is EventObservation => o.kind === "event" && o.entryIds.length > 0 && dayOf(o.at, timeZone) === today,
  );
  const reachesBack = dayOf((newest[0] as LedgerEntry).recordedAt, timeZone) !== today;
  if (reachesBack && new Set(awarded.map((o) => `${o.sourceId}#${o.eventId}`)).size < floor) return newest;
  return deps.observations.chain(personId, since, chainDepth);
}

/** A person's window: their chain's awarding events, what was kept for them, and the batch's observations. */
async function windowOfPerson(deps: IntegrityDeps, personId: PersonId, observed: readonly Observation[], since: string, now: string) {
  const [chain, kept] = await Promise.all([chainOf(deps, personId, observed, since, now), deps.observations.window(personId, since)]);
  const retracted = retractedContents([...kept, ...observed]);
  return { window: windowOf(kept, observed, chainEvents(personId, chain)), keep: observed.filter((o) => worthKeeping(o, retracted)) };
}

/** Observes a batch's event records and people's entries, judges what they touched, opens a review per new flag. */
export async function watch(deps: IntegrityDeps, batch: WatchedBatch): Promise<Flag[]> {
  const observed = await observationsOf(deps, batch);
  const { timeZone } = deps.settings;
  const counted = batch.events.flatMap((e): CountedEvent[] =>
    e.retracts ? [] : [{ sourceId: e.sourceId, eventId: e.eventId, day: dayOf(e.recordedAt, timeZone) }],
  );
  if (observed.length === 0 && counted.length === 0) return [];
  const now = [...batch.events.map((e) => e.recordedAt), ...observed.map((o) => o.at)].sort().at(-1) ?? new Date().toISOString();
  const since = new Date(Date.parse(now) - (deps.settings.baselineDays + 1) * dayMs).toISOString();
  const people = Map.groupBy(observed, (o) => o.personId);
  const windows = await Promise.all(
    [...people].map(async ([personId, own]) => ({ personId, ...(await windowOfPerson(deps, personId, own, since, now)) })),
  );
  // Kept before the count: a failure after it leaves nothing unkept that a replay would skip.
  await deps.observations.observe(windows.flatMap((w) => w.keep));
  await deps.observations.count(batch.range, counted);
  const sources = Map.groupBy(
    observed.filter((o): o is EventObservation => o.kind === "event"),
    (o) => o.sourceId,
  );
  for (const sourceId of new Set(counted.map((c) => c.sourceId))) if (!sources.has(sourceId)) sources.set(sourceId, []);
  const flags = [
    ...windows.flatMap(({ personId, window }) => personFlags(personId, window, now, deps.settings)),
    ...(
      await Promise.all(
        [...sources].map(async ([sourceId, seen]) =>
          sourceVelocity(sourceId, await deps.observations.sourceDays(sourceId, dayOf(since, timeZone)), seen, now, deps.settings),
        ),
      )
    ).flat(),
  ];
  const unique = [...new Map(flags.map((flag) => [flag.flagId, flag])).values()];
  // A spike goes on for the rest of its day: every batch finds it again, and it is opened once.
  const known = unique.length === 0 ? new Set<string>() : await deps.reviews.known(unique.map((flag) => flag.flagId));
  for (const flag of unique.filter((f) => !known.has(f.flagId))) {
    const held = deps.settings.holdFlagged && flag.people.length > 0 ? { held: flag.people } : {};
    await deps.reviews.open({ ...flag, status: "open", ...held });
  }
  return unique;
}
