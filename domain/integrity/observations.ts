/**
 * What the detectors look at: observations of a person, made from the ledger's stream (an
 * accepted event, a retraction of one, a credit from one person to another) or read from the
 * person's chain (the events that awarded them). Each has a key made of its time and what it came
 * from, so that a replayed stream batch observes nothing twice. Only the unusual ones are kept
 * (`worthKeeping`): an ordinary event is in the ledger already.
 */
import type { Condition, RuleDefinition } from "../awards/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import type { PersonId } from "../kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../ledger/index.ts";

/** A rule as it is stored, with its id. */
export type IdentifiedRule = RuleDefinition & { id: string };

/** A measure of an event close to a number a rule's condition compares it with. */
export interface NearThreshold {
  ruleId: string;
  field: string;
  threshold: number;
  value: number;
  passed: boolean;
}

interface Observed {
  /** `<recordedAt>#<what it came from>`: the same record always gives the same key. */
  key: string;
  personId: PersonId;
  at: string;
}

export type Observation = Observed &
  (
    | {
        kind: "event";
        sourceId: string;
        eventId: string;
        /** The event's content (type, subject, data) as a hash: the same content sent again has the same. */
        content: string;
        /** The award entries the event made for this person. */
        entryIds: string[];
        near: NearThreshold[];
      }
    | { kind: "retracted"; sourceId: string; eventId: string; content: string; entryIds: string[] }
    | { kind: "credit"; direction: "gave" | "got"; other: PersonId; entryId: string; amount: number; asset: string }
  );
export type EventObservation = Extract<Observation, { kind: "event" }>;

export const contentOf = (record: Pick<EventRecord, "type" | "subject" | "data">): string =>
  fingerprint({ type: record.type, subject: record.subject ?? null, data: record.data ?? null }).slice(0, 32);

/** Lower bounds a rule's condition puts on numbers of the data (`gte`/`gt` with a number), at any depth under `all`. */
function lowerBounds(condition: Condition | undefined): { field: string; value: number; strict: boolean }[] {
  if (!condition) return [];
  if ("all" in condition) return condition.all.flatMap(lowerBounds);
  if ("field" in condition && (condition.op === "gte" || condition.op === "gt") && typeof condition.value === "number")
    return [{ field: condition.field, value: condition.value, strict: condition.op === "gt" }];
  return [];
}

const fieldValue = (data: Record<string, unknown> | undefined, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((value, name) => (value && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined), data);

/** The event's measures within `margin` (a fraction) of a threshold of a rule for its type, below or above it. */
export function nearThresholds(
  record: Pick<EventRecord, "type" | "data">,
  rules: readonly IdentifiedRule[],
  margin: number,
): NearThreshold[] {
  return rules
    .filter((rule) => rule.eventType === record.type)
    .flatMap((rule) =>
      lowerBounds(rule.when).flatMap(({ field, value: threshold, strict }) => {
        const value = fieldValue(record.data, field);
        if (typeof value !== "number" || Math.abs(value - threshold) > Math.abs(threshold) * margin) return [];
        const passed = strict ? value > threshold : value >= threshold;
        return [{ ruleId: rule.id, field, threshold, value, passed }];
      }),
    );
}

const awardEntries = (record: EventRecord, personId: PersonId) =>
  record.awards.filter((a) => a.personId === personId && a.kind === "award").map((a) => a.entryId as string);

/** What an accepted event tells about each person it is about (its subject, or a team event's members). */
export function observeEvent(record: EventRecord, rules: readonly IdentifiedRule[], margin: number): Observation[] {
  if (record.retracts) return [];
  const people = record.subject ? [record.subject] : (record.members ?? []);
  const content = contentOf(record);
  return people.map((personId) => ({
    key: `${record.recordedAt}#event#${record.sourceId}#${record.eventId}`,
    personId,
    at: record.recordedAt,
    kind: "event",
    sourceId: record.sourceId,
    eventId: record.eventId,
    content,
    entryIds: awardEntries(record, personId),
    near: personId === record.subject ? nearThresholds(record, rules, margin) : [],
  }));
}

/** A retraction (`retraction`, at its time) of the event `original`, for the people the original was about. */
export function observeRetraction(retraction: EventRecord, original: EventRecord): Observation[] {
  const people = original.subject ? [original.subject] : (original.members ?? []);
  return people.map((personId) => ({
    key: `${retraction.recordedAt}#retracted#${original.sourceId}#${original.eventId}`,
    personId,
    at: retraction.recordedAt,
    kind: "retracted",
    sourceId: original.sourceId,
    eventId: original.eventId,
    content: contentOf(original),
    entryIds: awardEntries(original, personId),
  }));
}

/**
 * A person crediting another: an award or a payout that one person (the entry's actor) made to
 * another's chain. By hand (`POST /awards`), a fund claim's approver paying a claimant and the
 * split's team, a bounty's judge paying its authors: every path in Laurel by which one person
 * puts value in another's account. Observed at both ends, so that one person's window shows both
 * directions.
 */
export function observeCredit(entry: LedgerEntry): Observation[] {
  if (entry.actor.kind !== "person" || (entry.kind !== "award" && entry.kind !== "payout") || entry.asset.startsWith("badge:")) return [];
  const giver = entry.actor.personId;
  const receiver = entry.holder.slice("person:".length) as PersonId;
  if (!entry.holder.startsWith("person:") || giver === receiver) return [];
  const base = { at: entry.recordedAt, kind: "credit" as const, entryId: entry.entryId, amount: entry.amount, asset: entry.asset };
  return [
    { ...base, key: `${entry.recordedAt}#gave#${entry.entryId}`, personId: giver, direction: "gave", other: receiver },
    { ...base, key: `${entry.recordedAt}#got#${entry.entryId}`, personId: receiver, direction: "got", other: giver },
  ];
}

/**
 * The awarding events a person's chain shows (award entries a source made, grouped by event), as
 * observations: what velocity counts, read from the ledger instead of kept a second time. The
 * chain does not hold an event's content or measures: those come from kept observations.
 */
export function chainEvents(personId: PersonId, entries: readonly LedgerEntry[]): EventObservation[] {
  const awards = entries.flatMap((entry) =>
    entry.kind === "award" && entry.actor.kind === "source"
      ? [{ entry, sourceId: entry.actor.sourceId, eventId: entry.actor.eventId }]
      : [],
  );
  return [...Map.groupBy(awards, (a) => `${a.sourceId}#${a.eventId}`).values()].flatMap((made) => {
    const first = made[0];
    if (!first) return [];
    const { entry, sourceId, eventId } = first;
    return [
      {
        key: `${entry.recordedAt}#event#${sourceId}#${eventId}`,
        personId,
        at: entry.recordedAt,
        kind: "event" as const,
        sourceId,
        eventId,
        content: "",
        entryIds: made.map((a) => a.entry.entryId as string),
        near: [],
      },
    ];
  });
}

/** The contents a person's observations show retracted. */
export const retractedContents = (observations: readonly Observation[]): Set<string> =>
  new Set(observations.flatMap((o) => (o.kind === "retracted" ? [o.content] : [])));

/**
 * Whether an observation is kept: a retraction, a credit, an event with a measure near a
 * threshold or with content retracted before. An ordinary event is not: its awards are in the
 * person's chain, and its source's day counts it.
 */
export const worthKeeping = (o: Observation, retracted: ReadonlySet<string>): boolean =>
  o.kind !== "event" || o.near.length > 0 || retracted.has(o.content);

/** One window from kept observations, the batch's and the chain's events: an event once, as kept or observed if it was. */
export function windowOf(...sources: readonly (readonly Observation[])[]): Observation[] {
  const unique = new Map<string, Observation>();
  for (const o of sources.flat()) {
    const id = o.kind === "event" ? `event#${o.sourceId}#${o.eventId}` : o.key;
    if (!unique.has(id)) unique.set(id, o);
  }
  return [...unique.values()].sort((a, b) => a.at.localeCompare(b.at));
}
