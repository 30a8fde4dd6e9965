/**
 * Achievement webhooks: a signed request from a source carries one event or a batch; each event
 * is validated, evaluated against the award rules and written to the ledger exactly once, and
 * answered on its own (accepted, duplicate or rejected with a problem).
 */

import type { Person } from "../directory/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import { mapLimit } from "../kernel/concurrency.ts";
import type { DefinitionStore, Versioned } from "../kernel/definitions.ts";
import { assertNotPaidByOwn, authorsOf } from "../kernel/duties.ts";
import { DomainError, type ErrorKind, UnauthenticatedError } from "../kernel/errors.ts";
import { parseJson, storageProblem } from "../kernel/json.ts";
import type { EntryId, OrgUnitId, PersonId } from "../kernel/model.ts";
import { parseAsset, personAccount } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import { idPattern } from "../kernel/schemas.ts";
import type { AwardView, ChainAppend, EventRecord, LedgerStore, OnceRecord, PersonSnapshot } from "../ledger/index.ts";
import {
  type Actor,
  appendMovements,
  grantCandidates,
  type LedgerEntry,
  type Measure,
  type RuleState,
  reversalOf,
  seqOfEntryId,
} from "../ledger/index.ts";
import { appendWithBadges, grantMovements, levelsLost, revocationMovements } from "./awarding.ts";
import type { Badge, BadgeDefinition } from "./badges.ts";
import { CloudEvent, eventsOf, RetractionData, retractionType } from "./cloudevents.ts";
import {
  type AchievementEvent,
  type CompiledRules,
  compileRules,
  evaluateEvent,
  type Rule,
  type RuleDefinition,
  undoEffects,
} from "./rules.ts";
import { dataSchemaOf, type Source, type SourceService } from "./sources.ts";
import type { SignatureHeaders } from "./webhook-signature.ts";
import { verifySignature } from "./webhook-signature.ts";

/** A problem in the shape of RFC 9457, for one event of a batch. */
export interface EventProblem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  [extension: string]: unknown;
}

export type EventResult =
  | { id: string; status: "accepted"; awards: AwardView[]; notes?: string[]; dryRun?: true }
  | { id: string; status: "duplicate"; awards: AwardView[] }
  | { id: string | null; status: "rejected"; problem: EventProblem };

const problemTitles: Record<number, string> = {
  400: "Bad request",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  422: "Unprocessable content",
  503: "Service unavailable",
};

const rejected = (id: string | null, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): EventResult => ({
  id,
  status: "rejected",
  problem: { type: `/problems/${code}`, title: problemTitles[status] ?? "Error", status, code, detail, ...extra },
});

const statusOfKind: Record<string, number> = {
  invalid: 400,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};
const kindOfStatus = Object.fromEntries(Object.entries(statusOfKind).map(([kind, status]) => [status, kind as ErrorKind]));

/** Media types of a single event and of a batch. */
const singleTypes = new Set(["application/cloudevents+json", "application/json"]);
const batchType = "application/cloudevents-batch+json";
export const maxWebhookBodyBytes = 1024 * 1024;
const eventsInFlight = 16;
const futureToleranceMs = 5 * 60_000;

/** The source moved on while a request was checked against an earlier version of it. */
class SourceChanged extends Error {
  readonly latest: Versioned<Source> | undefined;
  constructor(latest: Versioned<Source> | undefined) {
    super("the source changed during the request");
    this.latest = latest;
  }
}

export interface WebhookDeps {
  store: LedgerStore;
  definitions: DefinitionStore;
  sources: SourceService;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  clock: Clock;
  timeZone: string;
  retry?: RetryPolicy;
}

export interface WebhookRequest {
  sourceId: string;
  headers: SignatureHeaders;
  contentType: string | undefined;
  body: Buffer;
  dryRun: boolean;
}

export class WebhookService {
  readonly #deps: WebhookDeps;
  readonly #compiled = new WeakMap<object, CompiledRules>();

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async receive(request: WebhookRequest): Promise<{ results: EventResult[] }> {
    const source = await this.#authenticate(request);
    try {
      return await this.#receiveFrom(source, request);
    } catch (error) {
      // The source changed since this instance read it (a secret rotated or revoked, its event
      // types edited): the whole request again, under the source as it is now.
      if (!(error instanceof SourceChanged)) throw error;
      return this.#receiveFrom(await this.#verified(error.latest, request), request);
    }
  }

  async #receiveFrom(source: Versioned<Source>, request: WebhookRequest): Promise<{ results: EventResult[] }> {
    const type = request.contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!singleTypes.has(type) && type !== batchType) {
      throw new DomainError(
        "invalid",
        "unsupported-media-type",
        `Send ${[...singleTypes].join(" or ")} for one event, ${batchType} for a batch.`,
      );
    }
    // Limits are checked per event below, so that one event that cannot be stored refuses only itself.
    const events = eventsOf(parseJson(request.body, { storable: false }), type === batchType);
    const current = () => this.#confirmed(source);
    // One person's events go one after another (in batch order, and without racing each other
    // for their chain head); different people's go concurrently.
    const results = new Array<EventResult>(events.length);
    await mapLimit([...groupBySubject(events).values()], eventsInFlight, async (indices) => {
      for (const index of indices) results[index] = await this.#settle(source, events[index], current, request.dryRun);
    });
    return { results };
  }

  /**
   * The signature checked with the source as this instance last read it; only when that fails is
   * the source read again, so that a secret added a moment ago elsewhere is accepted at once.
   */
  async #authenticate(request: WebhookRequest): Promise<Versioned<Source>> {
    const seen = await this.#deps.definitions.peek<Source>("source", request.sourceId);
    try {
      return await this.#verified(seen, request);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      const latest = await this.#deps.definitions.get<Source>("source", request.sourceId);
      if (latest?.version === seen?.version) throw error;
      return this.#verified(latest, request);
    }
  }

  async #verified(source: Versioned<Source> | undefined, request: WebhookRequest): Promise<Versioned<Source>> {
    // An unknown source is refused exactly like a bad signature: nothing to learn by probing.
    if (!source) throw new UnauthenticatedError("No webhook-signature matches a current secret of this source.");
    verifySignature(request.headers, request.body, await this.#deps.sources.signingSecrets(source), this.#deps.clock.now());
    return source;
  }

  /**
   * Rules and badges as they are for this request, once the source the request was checked with
   * is confirmed current (read after the event's own read, which brings the versions along).
   */
  async #confirmed(source: Versioned<Source>): Promise<Definitions> {
    const latest = await this.#deps.definitions.get<Source>("source", source.id);
    if (latest?.version !== source.version) throw new SourceChanged(latest);
    return this.#definitionsNow();
  }

  /** Admins retract an event on behalf of its source (e.g. when the source cannot). */
  async retractAsAdmin(sourceId: string, eventId: string, reason: string, key: string): Promise<EventResult> {
    const source = await this.#deps.definitions.get<Source>("source", sourceId);
    if (!source) throw new DomainError("not-found", "source-not-found", `No source with id "${sourceId}".`);
    const now = this.#deps.clock.now().toISOString();
    const data = { eventId, reason };
    const event: CloudEvent = {
      specversion: "1.0",
      id: `admin-retraction-${key}`,
      source: "laurel.admin",
      type: retractionType,
      time: now,
      data,
    };
    // The Idempotency-Key names the request: a retry at another moment is the same request.
    const result = await this.#retract(source, event, () => this.#definitionsNow(), false, fingerprint({ key, sourceId, data }));
    if (result.status !== "rejected") return result;
    const { status, code, detail, type: _type, title: _title, ...details } = result.problem;
    throw new DomainError(kindOfStatus[status] ?? "conflict", code, detail, details);
  }

  /** Rules compiled once per cached definition list: the same list object until it expires. */
  async #definitionsNow(): Promise<Definitions> {
    const [versions, badgeVersions] = await Promise.all([
      this.#deps.definitions.list<RuleDefinition>("rule"),
      this.#deps.definitions.list<BadgeDefinition>("badge"),
    ]);
    let rules = this.#compiled.get(versions);
    if (!rules) {
      rules = compileRules(versions.map((v): Rule => ({ ...v.body, ruleId: v.id, version: v.version })));
      this.#compiled.set(versions, rules);
    }
    const authors = new Map([
      ...versions.map((v) => [`rule:${v.id}`, authorsOf(v)] as const),
      ...badgeVersions.map((v) => [`badge:${v.id}`, authorsOf(v)] as const),
    ]);
    return { rules, badges: badgeVersions.map((v): Badge => ({ ...v.body, badgeId: v.id })), authors };
  }

  /** One event's answer; a refusal of one event never fails the others. */
  async #settle(source: Versioned<Source>, raw: unknown, definitions: () => Promise<Definitions>, dryRun: boolean): Promise<EventResult> {
    const id =
      typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : null;
    try {
      return await this.#process(source, raw, definitions, dryRun);
    } catch (error) {
      if (error instanceof DomainError && statusOfKind[error.kind])
        return rejected(id, statusOfKind[error.kind] as number, error.code, error.message, error.details);
      throw error;
    }
  }

  async #process(source: Versioned<Source>, raw: unknown, definitions: () => Promise<Definitions>, dryRun: boolean): Promise<EventResult> {
    const parsed = CloudEvent.safeParse(raw);
    const id = typeof (raw as { id?: unknown })?.id === "string" ? (raw as { id: string }).id : null;
    if (!parsed.success) {
      const invalidFields = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      return rejected(
        id,
        400,
        "event-invalid",
        `The event is not a valid CloudEvent: ${invalidFields.map((f) => `${f.path}: ${f.message}`).join("; ")}.`,
        { invalidFields },
      );
    }
    const event = parsed.data;
    const unstorable = storageProblem(event);
    if (unstorable) {
      const { code, field } = unstorable;
      return rejected(event.id, 400, code, `The event cannot be stored: ${field.path} ${field.message}.`, { invalidFields: [field] });
    }
    if (event.type === retractionType) return this.#retract(source, event, definitions, dryRun);

    if (!source.body.eventTypes.some((t) => t.type === event.type)) {
      return rejected(event.id, 422, "event-type-not-allowed", `Source ${source.id} may not send events of type ${event.type}.`, {
        eventType: event.type,
      });
    }
    const schema = dataSchemaOf(source, event.type);
    const data = schema?.safeParse(event.data);
    if (data && !data.success) {
      const invalidFields = data.error.issues.map((issue) => ({ path: ["data", ...issue.path].join("."), message: issue.message }));
      return rejected(
        event.id,
        422,
        "data-invalid",
        `The data does not match the schema of ${event.type}: ${invalidFields.map((f) => `${f.path}: ${f.message}`).join("; ")}.`,
        { invalidFields },
      );
    }
    const tooOld = this.#tooOldOrEarly(source.body, event.time);
    if (tooOld) return rejected(event.id, 422, tooOld.code, tooOld.detail);

    const team = typeof event.data.team === "string" && idPattern.test(event.data.team) ? (event.data.team as OrgUnitId) : undefined;
    const subject = event.subject;
    if (subject !== undefined && !idPattern.test(subject))
      return rejected(event.id, 422, "person-unknown", `No person with id "${subject}".`);
    if (subject === undefined && team === undefined) {
      return rejected(event.id, 422, "no-subject", "Name the person in subject, or the team in data.team for a team event.");
    }
    const members = team ? (await this.#deps.peopleIn(team)).map((p) => p.personId).sort() : [];
    if (team && members.length === 0) return rejected(event.id, 422, "team-unknown", `The team "${team}" has no members in the directory.`);
    const people = [...new Set([...(subject ? [subject as PersonId] : []), ...members])];
    const eventFingerprint = fingerprint(event);
    const achievement: AchievementEvent = {
      sourceId: source.id,
      eventId: event.id,
      type: event.type,
      ...(subject ? { subject: subject as PersonId } : {}),
      time: event.time,
      data: event.data,
    };

    return retryOnContention(async () => {
      const snapshot = await this.#deps.store.readEvent(source.id, event.id, people);
      const current = await definitions();
      const { rules, badges } = current;
      if (snapshot.record) return this.#duplicate(snapshot.record, eventFingerprint, event.id);
      if (subject && !snapshot.people.get(subject as PersonId)?.person)
        return rejected(event.id, 422, "person-unknown", `No person with id "${subject}".`);

      const states = new Map<PersonId, RuleState>(people.map((p) => [p, (snapshot.people.get(p) as PersonSnapshot).ruleState]));
      const evaluation = evaluateEvent({ rules, event: achievement, states, members, timeZone: this.#deps.timeZone });
      const now = this.#deps.clock.now().toISOString();
      const actor: Actor = { kind: "source", sourceId: source.id, eventId: event.id };
      // A measure (numbers in the data) becomes the subject's latest of its type, if it is newer.
      const measure = subject ? measureOf(source.id, event) : undefined;
      const subjectFacts = subject ? (snapshot.people.get(subject as PersonId) as PersonSnapshot).facts : undefined;
      const newer = measure && subjectFacts && (subjectFacts.measures[event.type]?.time ?? "") <= measure.time;
      const chains = people.flatMap((personId): ChainAppend[] => {
        const person = snapshot.people.get(personId) as PersonSnapshot;
        const ruleState = evaluation.states.get(personId) ?? person.ruleState;
        const context = { actor, occurredAt: event.time, recordedAt: now };
        const movements = evaluation.grants.filter((g) => g.personId === personId).flatMap((g) => grantMovements(g, context));
        // The head is written even without entries when the facts change: its version serialises writers.
        if (movements.length === 0 && ruleState === person.ruleState && !(newer && personId === subject)) return [];
        const { entries, state } = appendWithBadges(person.chain, movements, ruleState, badges, context);
        return [{ before: person.chain, after: state, entries, ruleState, headVersion: person.headVersion }];
      });
      refuseSelfDealing(source, current, chains);
      const awards = chains.flatMap((c) => c.entries.map(awardView));
      const notes = evaluation.notes.length ? { notes: evaluation.notes } : {};
      if (dryRun) return { id: event.id, status: "accepted", awards, ...notes, dryRun: true };
      const record: EventRecord = {
        sourceId: source.id,
        eventId: event.id,
        type: event.type,
        fingerprint: eventFingerprint,
        recordedAt: now,
        awards,
        effects: evaluation.effects,
      };
      const measureRecords: OnceRecord[] = measure ? [{ kind: "measure", personId: subject as PersonId, measure, recordedAt: now }] : [];
      await this.#deps.store.append({
        chains,
        records: [{ kind: "event", record }, ...measureRecords],
        ...(newer && measure && subjectFacts
          ? {
              facts: [
                {
                  personId: subject as PersonId,
                  facts: { ...subjectFacts, measures: { ...subjectFacts.measures, [event.type]: measure } },
                },
              ],
            }
          : {}),
      });
      return { id: event.id, status: "accepted", awards, ...notes };
    }, this.#deps.retry);
  }

  /**
   * Reverses every award an event caused and takes its contribution out of the rule state. A
   * retraction is itself an event: delivered twice, it is a duplicate.
   */
  async #retract(
    source: Versioned<Source>,
    event: CloudEvent,
    definitions: () => Promise<Definitions>,
    dryRun: boolean,
    eventFingerprint = fingerprint(event),
  ): Promise<EventResult> {
    const data = RetractionData.safeParse(event.data);
    if (!data.success) return rejected(event.id, 400, "event-invalid", "A retraction names the event to retract in data.eventId.");
    const targetId = data.data.eventId;
    const { store } = this.#deps;
    return retryOnContention(async () => {
      const [own, probe] = await Promise.all([store.readEvent(source.id, event.id, []), store.readEvent(source.id, targetId, [])]);
      const { badges } = await definitions();
      if (own.record) return this.#duplicate(own.record, eventFingerprint, event.id);
      if (!probe.record || probe.record.retracts)
        return rejected(event.id, 404, "event-unknown", `Source ${source.id} sent no event "${targetId}" that Laurel accepted.`);
      if (probe.retractedBy)
        return rejected(event.id, 409, "already-retracted", `Event "${targetId}" was already retracted by "${probe.retractedBy}".`);
      const original = probe.record;
      const people = [...new Set([...original.awards.map((a) => a.personId), ...original.effects.map((e) => e.personId)])];
      const [target, entries] = await Promise.all([
        store.readEvent(source.id, targetId, people),
        store.readEntries(original.awards.filter((a) => a.kind === "award").map((a) => a.entryId)),
      ]);
      const states = undoEffects(new Map(people.map((p) => [p, (target.people.get(p) as PersonSnapshot).ruleState])), original.effects);
      const now = this.#deps.clock.now().toISOString();
      const actor: Actor = { kind: "source", sourceId: source.id, eventId: event.id };
      const reason = `撤回事件 ${targetId}${data.data.reason ? `：${data.data.reason}` : ""}`;
      const chains = await Promise.all(
        people.map(async (personId): Promise<ChainAppend> => {
          const person = target.people.get(personId) as PersonSnapshot;
          const ruleState = states.get(personId) ?? person.ruleState;
          // Entries an admin reversed already stay as they are: each is reversed once.
          const originals = [...entries.values()]
            .filter((s) => s.entry?.holder === personAccount(personId) && !s.reversedBy)
            .map((s) => s.entry as LedgerEntry);
          const undone = appendMovements(
            person.chain,
            originals.map((e) =>
              reversalOf(e, actor, reason, now, { code: "retraction", params: { sourceId: source.id, eventId: targetId } }),
            ),
            now,
          );
          // Badge levels that no longer hold without the event go too, with what they granted.
          const lost = levelsLost(undone.state, ruleState, badges);
          if (lost.length === 0)
            return { before: person.chain, after: undone.state, entries: undone.entries, ruleState, headVersion: person.headVersion };
          const found = await store.readEntries(
            lost.flatMap((id) => [id, ...grantCandidates({ holder: person.chain.holder, seq: seqOfEntryId(id) })]),
          );
          const revocations = lost.flatMap((id) =>
            revocationMovements((found.get(id) as { entry: LedgerEntry }).entry, found, actor, reason, now),
          );
          const revoked = appendMovements(undone.state, revocations, now);
          return {
            before: person.chain,
            after: revoked.state,
            entries: [...undone.entries, ...revoked.entries],
            ruleState,
            headVersion: person.headVersion,
          };
        }),
      );
      const reversed: OnceRecord[] = chains.flatMap((c) =>
        c.entries.map((entry) => ({
          kind: "reversal" as const,
          entryId: entry.reverses as EntryId,
          reversedBy: entry.entryId,
          recordedAt: now,
        })),
      );
      const awards = chains.flatMap((c) => c.entries.map(awardView));
      if (dryRun) return { id: event.id, status: "accepted", awards, dryRun: true };
      const record: EventRecord = {
        sourceId: source.id,
        eventId: event.id,
        type: event.type,
        fingerprint: eventFingerprint,
        recordedAt: now,
        awards,
        effects: [],
        retracts: targetId,
      };
      await store.append({
        chains,
        records: [
          { kind: "event", record },
          { kind: "retraction", sourceId: source.id, eventId: targetId, retractedBy: event.id, recordedAt: now },
          ...reversed,
        ],
      });
      return { id: event.id, status: "accepted", awards };
    }, this.#deps.retry);
  }

  #duplicate(record: EventRecord, eventFingerprint: string, id: string): EventResult {
    if (record.fingerprint !== eventFingerprint) {
      return rejected(
        id,
        409,
        "event-id-reused",
        `Event id "${id}" was already used for an event with different content; give a new event a new id.`,
      );
    }
    return { id, status: "duplicate", awards: record.awards };
  }

  #tooOldOrEarly(source: Source, time: string): { code: string; detail: string } | undefined {
    const age = this.#deps.clock.now().getTime() - Date.parse(time);
    if (age > source.maxEventAgeDays * 86_400_000) {
      return {
        code: "event-too-old",
        detail: `The event happened more than ${source.maxEventAgeDays} days ago, older than this source may report.`,
      };
    }
    if (age < -futureToleranceMs) return { code: "event-in-future", detail: "The event's time is in the future." };
    return undefined;
  }
}

interface Definitions {
  rules: CompiledRules;
  badges: Badge[];
  /** Who wrote or approved the current version of each rule and badge, by `rule:<id>` and `badge:<id>`. */
  authors: Map<string, PersonId[]>;
}

/**
 * Separation of duties (domain/kernel/duties.ts): nobody is paid by an event under a source they
 * defined or ever held a secret of, a rule version or a badge version they wrote or approved.
 */
function refuseSelfDealing(source: Versioned<Source>, { authors }: Definitions, chains: readonly ChainAppend[]): void {
  const sourceAuthors = [...authorsOf(source), ...source.body.secrets.flatMap((s) => (s.createdBy ? [s.createdBy] : []))];
  for (const { entries } of chains) {
    for (const entry of entries) {
      const paid = [entry.to.slice("person:".length) as PersonId];
      assertNotPaidByOwn("source", paid, sourceAuthors, { sourceId: source.id, version: source.version });
      if (entry.rule) {
        const { ruleId, version } = entry.rule;
        assertNotPaidByOwn("rule", paid, authors.get(`rule:${ruleId}`) ?? [], { ruleId, version });
      }
      const asset = parseAsset(entry.asset);
      if (asset.kind === "badge")
        assertNotPaidByOwn("badge", paid, authors.get(`badge:${asset.badgeId}`) ?? [], { badgeId: asset.badgeId });
    }
  }
}

/** The numeric top-level fields of an event's data: what gates can ask of ("completion ≥ 90"). */
function measureOf(sourceId: string, event: CloudEvent): Measure | undefined {
  const values = Object.fromEntries(Object.entries(event.data).filter(([, v]) => typeof v === "number" && Number.isFinite(v))) as Record<
    string,
    number
  >;
  return Object.keys(values).length ? { eventType: event.type, sourceId, eventId: event.id, time: event.time, values } : undefined;
}

function groupBySubject(events: readonly unknown[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  events.forEach((event, index) => {
    const subject = (event as { subject?: unknown } | null)?.subject;
    const key = typeof subject === "string" ? `subject:${subject}` : `event:${index}`;
    groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  return groups;
}

const awardView = (entry: LedgerEntry): AwardView => ({
  personId: (entry.kind === "reversal" ? entry.from : entry.to).slice("person:".length) as PersonId,
  entryId: entry.entryId,
  asset: entry.asset,
  amount: entry.amount,
  kind: entry.kind === "reversal" ? "reversal" : "award",
  ...(entry.rule ? { ruleId: entry.rule.ruleId, ruleVersion: entry.rule.version } : {}),
  reason: entry.reason,
});
