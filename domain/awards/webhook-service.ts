/**
 * Achievement webhooks: a signed request from a source carries one event or a batch; each event
 * is validated, evaluated against the award rules and written to the ledger exactly once, and
 * answered on its own (accepted, duplicate or rejected with a problem).
 */

import { randomInt } from "node:crypto";
import {
  type BudgetBook,
  budgetIdOf,
  budgetOfPerson,
  budgetShards,
  budgetsOf,
  countersToRead,
  type Draw,
  drawsFor,
  heldForApproval,
  overspendNotes,
  releasing,
  type StoredBudget,
} from "../budgets/index.ts";
import { assertRole, type Caller, isActive, type OrgTree, type Person, personInactive } from "../directory/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import { mapLimit } from "../kernel/concurrency.ts";
import type { DefinitionStore, Versioned } from "../kernel/definitions.ts";
import { assertNotPaidByOwn, assertNotSelf, authorsOf } from "../kernel/duties.ts";
import { DomainError, type ErrorKind, UnauthenticatedError, webhookChallenge } from "../kernel/errors.ts";
import { parseJson, storageProblem } from "../kernel/json.ts";
import type { EntryId, OrgUnitId, PersonId } from "../kernel/model.ts";
import { parseAsset, personAccount } from "../kernel/model.ts";
import type { Clock, Page } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import { idPattern } from "../kernel/schemas.ts";
import type {
  AppendWrite,
  AwardView,
  ChainAppend,
  CounterUpdate,
  EventRecord,
  HeldSettlement,
  HoldBook,
  LedgerStore,
  OnceRecord,
  PersonSnapshot,
} from "../ledger/index.ts";
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
import { dataFaults } from "./data-schemas.ts";
import {
  type HeldAward,
  type HeldAwardDecision,
  type HeldAwardListQuery,
  type HeldAwardState,
  type HeldAwardStore,
  type HeldAwardView,
  type HeldRef,
  heldAwardView,
  heldRefKey,
  listingMove,
} from "./held-awards.ts";
import {
  type AchievementEvent,
  type CompiledRules,
  compileRules,
  evaluateEvent,
  type Rule,
  type RuleDefinition,
  ruleVersionsFor,
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

/** What a dry run would write has no entry id: ids are given only to entries that are written. */
const unwritten = ({ entryId: _, ...award }: Omit<AwardView, "entryId"> & { entryId?: unknown }): Omit<AwardView, "entryId"> => award;

/** Team members whose share of an event an open review keeps (held awards), with the reviews holding them. */
export type HeldMember = { personId: PersonId; reviews: string[] };

export type EventResult =
  | { id: string; status: "accepted"; awards: AwardView[]; notes?: string[]; held?: HeldMember[] }
  | { id: string; status: "accepted"; awards: Omit<AwardView, "entryId">[]; notes?: string[]; dryRun: true }
  | { id: string; status: "duplicate"; awards: AwardView[] }
  | { id: string | null; status: "rejected"; problem: EventProblem }
  | { id: string; status: "held"; reviews: string[]; budget?: { orgUnitId: string; period: string }; detail: string; dryRun?: true };

const problemTitles: Record<number, string> = {
  400: "Bad request",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  422: "Unprocessable content",
  423: "Locked",
  503: "Service unavailable",
};

const rejected = (id: string | null, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): EventResult => ({
  id,
  status: "rejected",
  problem: { ...extra, type: `/problems/${code}`, title: problemTitles[status] ?? "Error", status, code, detail },
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

/** Who releases or rejects the awards a budget held (four eyes besides). */
const budgetApprovers = ["approver", "finance", "admin"] as const;

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
  orgTree(): Promise<OrgTree>;
  clock: Clock;
  timeZone: string;
  retry?: RetryPolicy;
  /**
   * People whose awards wait for a review (the integrity context's hold policy, when a stage
   * turns it on), each with the review items holding them.
   */
  holds?: HoldBook | undefined;
  /** Where the awards of people on hold are kept until released or rejected (with `holds`). */
  heldAwards?: HeldAwardStore;
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
    const batch = events.length > 1 && !request.dryRun;
    const [results, people] = await Promise.all([
      this.#held(source, events, request.dryRun),
      batch ? this.#peopleOf(source, events) : events.map(subjectOf),
    ]);
    const settle = (indices: number[]) =>
      mapLimit([...groupByPerson(people, indices).values()], eventsInFlight, async (group) => {
        for (const index of group) results[index] = await this.#settle(source, events[index], current, request.dryRun);
      });
    if (batch) {
      // A person's retractions that come before their other events are settled first, so that
      // those can still be written together, after them.
      await settle(leadingRetractions(events, people, results));
      await this.#receiveBatch(source, events, people, current, results);
    }
    // What the batch path left (a single event, a dry run, retractions, team events, and whatever
    // follows a failed write of the same person) goes event by event: one person's one after
    // another, in batch order (without racing each other for their chain head); different
    // people's concurrently.
    await settle(events.flatMap((_, index) => (results[index] ? [] : [index])));
    return { results: results as EventResult[] };
  }

  /**
   * Whose sequence each event of a batch takes its place in (a batch is settled in its order, one
   * person's events one after another): its subject; a retraction without one is about its
   * target's subject, found in the batch or else read (one round trip for all of them, only when a
   * batch retracts, without a subject, an event sent before it). A retraction of a team event
   * without a subject has no place in one person's sequence and is settled on its own.
   */
  async #peopleOf(source: Versioned<Source>, events: readonly unknown[]): Promise<(PersonId | undefined)[]> {
    const people = events.map(subjectOf);
    const targets = events.map((raw, index) => (people[index] === undefined ? retractedBy(raw) : undefined));
    if (!targets.some((target) => target !== undefined)) return people;
    const sent = new Map<string, PersonId>();
    for (const [index, raw] of events.entries()) {
      const { id, type } = (raw ?? {}) as { id?: unknown; type?: unknown };
      const person = people[index];
      if (typeof id === "string" && person && type !== retractionType && !sent.has(id)) sent.set(id, person);
    }
    const earlier = [...new Set(targets.filter((t): t is string => t !== undefined && !sent.has(t)))];
    const { records } = earlier.length
      ? await this.#deps.store.readEvents(source.id, earlier, [])
      : { records: new Map<string, EventRecord>() };
    return people.map((person, index) => {
      const target = targets[index];
      return target === undefined ? person : (sent.get(target) ?? records.get(target)?.subject);
    });
  }

  /**
   * Events about a person on hold are kept, not awarded, until an approver decides the review
   * items holding them (domain/awards/held-awards.ts): answered `held`, and the same event sent
   * again while it waits is `held` again, once rejected on review is refused. Retractions are
   * never held. Two reads at once for the whole request (the holds, the events' held awards),
   * only where holds are on.
   */
  async #held(source: Versioned<Source>, events: readonly unknown[], dryRun: boolean): Promise<(EventResult | undefined)[]> {
    const results = new Array<EventResult | undefined>(events.length);
    const { holds, heldAwards } = this.#deps;
    if (!holds || !heldAwards) return results;
    const refs = events.map((raw): HeldRef | undefined => {
      const event = raw as { id?: unknown; subject?: unknown; type?: unknown } | null;
      return typeof event?.subject === "string" &&
        idPattern.test(event.subject) &&
        typeof event.id === "string" &&
        event.type !== retractionType
        ? { personId: event.subject as PersonId, sourceId: source.id, eventId: event.id }
        : undefined;
    });
    const named = refs.filter((ref) => ref !== undefined);
    const [held, kept] = await Promise.all([holds.held([...new Set(named.map((r) => r.personId))]), heldAwards.find(named)]);
    await mapLimit([...refs.entries()], eventsInFlight, async ([index, ref]) => {
      const found = ref && kept.get(heldRefKey(ref));
      const reviews = ref && held.get(ref.personId);
      // Posted already: the event's own record answers it (a duplicate).
      if (!ref || found?.settled?.outcome === "posted" || !(found || reviews)) return;
      results[index] = await this.#hold(source, events[index], found, reviews ?? [], dryRun);
    });
    return results;
  }

  async #hold(
    source: Versioned<Source>,
    raw: unknown,
    found: HeldAwardState | undefined,
    reviews: string[],
    dryRun: boolean,
  ): Promise<EventResult> {
    const prepared = await this.#prepare(source, raw);
    if ("status" in prepared) return prepared;
    const { event, subject, fingerprint: eventFingerprint } = prepared as AwardEvent;
    if (found) return heldAgain(found, eventFingerprint, event.id);
    // Accepted before the hold began: a duplicate, as ever.
    const { record } = await this.#deps.store.readEvent(source.id, event.id, []);
    if (record) return this.#duplicate(record, eventFingerprint, event.id);
    const held = heldOf(source.id, event, subject as PersonId, eventFingerprint, reviews, this.#deps.clock.now().toISOString());
    return dryRun ? heldAnswer(held, true) : this.#keep(held);
  }

  async #keep(held: HeldAward): Promise<EventResult> {
    const store = this.#deps.heldAwards as HeldAwardStore;
    if (await store.keep(held)) return heldAnswer(held, false);
    // Kept a moment ago by a retry of this request (or an id reused at the same instant).
    const again = (await store.find([held])).get(heldRefKey(held));
    return again ? heldAgain(again, held.fingerprint, held.eventId) : heldAnswer(held, false);
  }

  /**
   * Posts a person's held awards, oldest first, once nothing holds them: each through the
   * webhook's own path under the rules in force now, its ending written in the transaction that
   * posts it, so each is posted exactly once however often this runs. One refused now (the person
   * left, a budget refuses) ends rejected with the refusal. Answers how many it settled.
   */
  async releaseHeld(personId: PersonId, by: PersonId): Promise<number> {
    const pending = (await this.#heldOf(personId)).filter((state) => !state.settled);
    for (const { held } of pending) await this.#release(held, by);
    return pending.length;
  }

  /** Rejects a person's held awards that a review item held, with the reviewer's reason; none of them is ever posted. */
  async rejectHeld(personId: PersonId, flagId: string, by: PersonId, reason: string): Promise<number> {
    const pending = (await this.#heldOf(personId)).filter((state) => !state.settled && state.held.reviews.includes(flagId));
    for (const { held } of pending)
      await (this.#deps.heldAwards as HeldAwardStore).settle(this.#settlement(held, "rejected", by, reason), held);
    return pending.length;
  }

  /** The awards a budget held for approval and how each ended, oldest first (approver, finance, admin). */
  async heldForApproval(caller: Caller, orgUnitId: OrgUnitId, period: string): Promise<HeldAwardView[]> {
    assertRole(caller, budgetApprovers);
    return this.#deps.heldAwards ? (await this.#deps.heldAwards.ofBudget(budgetIdOf(orgUnitId, period))).map(heldAwardView) : [];
  }

  /**
   * An approver releases an award a budget held (posted once, drawing the budget if it has room
   * now, else overspent and flagged) or rejects it with a reason. Four eyes: never the person it
   * pays, nor who set the budget. Releasing or rejecting it again changes nothing.
   */
  async decideHeld(caller: Caller, { personId, sourceId, eventId, decision, reason }: HeldAwardDecision): Promise<HeldAwardView> {
    assertRole(caller, budgetApprovers);
    const ref = { personId: personId as PersonId, sourceId, eventId };
    const find = async () => (this.#deps.heldAwards ? (await this.#deps.heldAwards.find([ref])).get(heldRefKey(ref)) : undefined);
    const found = await find();
    if (!found?.held.budget)
      throw new DomainError(
        "not-found",
        "held-award-not-found",
        `No award of ${personId} for event ${sourceId}/${eventId} is held for approval.`,
      );
    if (found.settled) return heldAwardView(found);
    assertNotSelf("release", caller.personId, [ref.personId, ...found.held.budget.authors], { budget: found.held.budget.budgetId });
    const store = this.#deps.heldAwards as HeldAwardStore;
    if (decision === "reject") await store.settle(this.#settlement(found.held, "rejected", caller.personId, reason), found.held);
    else await this.#release(found.held, caller.personId, reason);
    return heldAwardView((await find()) ?? found);
  }

  /**
   * The awards budgets held, across budgets (approver, finance, admin): those still held oldest
   * first, posted or rejected ones newest first, a page at a time. Awards held before the list
   * existed are in their budget's list only until they are settled.
   */
  async heldAcrossBudgets(caller: Caller, { status, limit, cursor }: HeldAwardListQuery): Promise<Page<HeldAwardView>> {
    assertRole(caller, budgetApprovers);
    return this.#deps.heldAwards ? this.#deps.heldAwards.listed(status, limit, cursor) : { items: [], cursor: undefined };
  }

  /** A person's held awards and how each ended, oldest first. */
  async heldOf(personId: PersonId): Promise<HeldAwardView[]> {
    return (await this.#heldOf(personId)).map(heldAwardView);
  }

  #heldOf(personId: PersonId): Promise<HeldAwardState[]> {
    return this.#deps.heldAwards ? this.#deps.heldAwards.of(personId) : Promise.resolve([]);
  }

  #settlement(held: HeldAward, outcome: HeldSettlement["outcome"], by: PersonId, reason: string): HeldSettlement {
    const { personId, sourceId, eventId } = held;
    return { personId, sourceId, eventId, outcome, by, reason, recordedAt: this.#deps.clock.now().toISOString() };
  }

  async #release(held: HeldAward, by: PersonId, reason = "released on review"): Promise<void> {
    const store = this.#deps.heldAwards as HeldAwardStore;
    const source = await this.#deps.definitions.get<Source>("source", held.sourceId);
    if (!source) return store.settle(this.#settlement(held, "rejected", by, `source ${held.sourceId} no longer exists`), held);
    const posted = this.#settlement(held, "posted", by, reason);
    // Released: what an exhausted budget that holds cannot take is issued and flagged as overspent.
    const definitions = async () => {
      const current = await this.#definitionsNow();
      return { ...current, budgets: releasing(current.budgets) };
    };
    const result = held.share
      ? await this.#releaseShare(source, held, definitions, posted)
      : await this.#process(source, held.event, definitions, false, { held, settled: posted });
    if (result.status === "accepted") return;
    await store.settle(
      result.status === "rejected" ? this.#settlement(held, "rejected", by, `refused when released: ${result.problem.detail}`) : posted,
      held,
    );
  }

  /**
   * A team member's kept share posted: the event's team rules evaluated again for the members as
   * they were (the split unchanged), under the rules in force now, and only this member's awards
   * written, with the held award's ending in the same transaction (so once). The event's other
   * awards were posted when it came; its record is not written again. An event retracted
   * meanwhile is refused.
   */
  async #releaseShare(
    source: Versioned<Source>,
    held: HeldAward,
    definitions: () => Promise<Definitions>,
    posted: HeldSettlement,
  ): Promise<EventResult> {
    // Validated when it came, with the team as it was then (which may have changed or gone since).
    const { personId, event } = held;
    const members = held.share?.members ?? [];
    const store = this.#deps.heldAwards as HeldAwardStore;
    // Without its subject: only the team's rules pay, and only this member is written.
    const achievement: AchievementEvent = { sourceId: source.id, eventId: event.id, type: event.type, time: event.time, data: event.data };
    const share: AwardEvent = {
      kind: "award",
      event,
      subject: undefined,
      members,
      people: [personId],
      fingerprint: held.fingerprint,
      achievement,
    };
    return retryOnContention(async () => {
      // Settled a moment ago (a retry, a second approver): the ending answers it.
      const found = (await store.find([held])).get(heldRefKey(held));
      if (found?.settled)
        return found.settled.outcome === "posted" ? { id: held.eventId, status: "accepted", awards: [] } : rejectedShare(found);
      const snapshot = await this.#deps.store.readEvent(source.id, held.eventId, [personId]);
      const current = await definitions();
      if (snapshot.retractedBy)
        return rejected(held.eventId, 409, "already-retracted", `Event "${held.eventId}" was retracted by "${snapshot.retractedBy}".`);
      const person = snapshot.people.get(personId)?.person;
      if (!person) return rejected(held.eventId, 422, "person-unknown", `No person with id "${personId}".`);
      if (!isActive(person)) {
        const inactive = personInactive(person);
        return rejected(held.eventId, 409, inactive.code, inactive.message, inactive.details);
      }
      const now = this.#deps.clock.now().toISOString();
      const counters = countersToRead(current, [person.orgUnitId], now);
      const drawn = counters.length ? await this.#deps.store.readCounters(counters) : new Map<string, number>();
      const plan = this.#plan(source, share, snapshot.people, { ...current, drawn }, now, new Map());
      if (plan.result.status !== "accepted") return plan.result;
      // Nothing to pay under the rules now: posted, with nothing.
      if (!plan.write) return store.settle({ ...posted, recordedAt: now }, held).then(() => plan.result);
      const { chains, counters: draws, records } = plan.write;
      // What a retraction of the event undoes with its other awards: this member's entries, progress and draws.
      const record = records.flatMap((r) => (r.kind === "event" ? [r.record] : []))[0];
      const posting = {
        entryIds: chains.flatMap((c) => c.entries.map((e) => e.entryId)),
        effects: (record?.effects ?? []).filter((e) => e.personId === personId),
        ...(record?.budgetDraws ? { budgetDraws: record.budgetDraws } : {}),
      };
      const settled: OnceRecord = { kind: "held-settled", settled: { ...posted, recordedAt: now, posting } };
      await this.#deps.store.append({ chains, records: [settled], ...(draws ? { counters: draws } : {}) });
      return plan.result;
    }, this.#deps.retry);
  }

  /**
   * A batch's events for named people, written together: every event record and person read in
   * a few BatchGetItems, each person's events evaluated in batch order on their running state,
   * and written as one chain append per person per transaction (several people to a transaction,
   * up to its 100 items). An event that is not planned here, or whose write fails, is left for
   * the event-by-event path, and so is every later event of the same person.
   */
  async #receiveBatch(
    source: Versioned<Source>,
    events: readonly unknown[],
    people: readonly (PersonId | undefined)[],
    definitions: () => Promise<Definitions>,
    results: (EventResult | undefined)[],
  ) {
    const prepared = await Promise.all(events.map((raw) => this.#prepare(source, raw)));
    const byPerson = new Map<PersonId, { index: number; event: AwardEvent }[]>();
    const leftPeople = new Set<PersonId>();
    const seenIds = new Set<string>();
    for (const [index, event] of prepared.entries()) {
      // Answered already (held): nothing of it is written.
      if (results[index]) continue;
      if ("status" in event) {
        results[index] = event;
        continue;
      }
      const subject = event.kind === "award" && event.members.length === 0 ? event.subject : undefined;
      if (event.kind !== "award" || !subject || seenIds.has(event.event.id) || leftPeople.has(subject)) {
        // An event of the same id twice, a retraction or a team event: event by event, and this person's other events with it.
        const named = people[index];
        if (named) leftPeople.add(named);
        continue;
      }
      seenIds.add(event.event.id);
      byPerson.set(subject, [...(byPerson.get(subject) ?? []), { index, event }]);
    }
    for (const person of leftPeople) byPerson.delete(person);
    if (byPerson.size === 0) return;
    const planned = [...byPerson.values()].flat();
    const snapshot = await this.#deps.store.readEvents(
      source.id,
      planned.map((p) => p.event.event.id),
      [...byPerson.keys()],
    );
    const current = await definitions();
    const now = this.#deps.clock.now().toISOString();
    // A person whose coins draw on a budget goes event by event: each draw reads the budget's counters first.
    for (const personId of byPerson.keys())
      if (budgetOfPerson(current, snapshot.people.get(personId)?.person?.orgUnitId, now)) byPerson.delete(personId);
    const units = new Map<PersonId, BatchUnit[]>();
    for (const [personId, personEvents] of byPerson) {
      const running = new Map([[personId, snapshot.people.get(personId) as PersonSnapshot]]);
      const personUnits: BatchUnit[] = [];
      for (const { index, event } of personEvents) {
        const record = snapshot.records.get(event.event.id);
        if (record) {
          results[index] = this.#duplicate(record, event.fingerprint, event.event.id);
          continue;
        }
        let plan = this.#plan(source, event, running, current, now);
        if (!plan.write) {
          results[index] = plan.result;
          continue;
        }
        const unit = personUnits.at(-1);
        if (unit && fits(unit, plan.write)) merge(unit, plan.write, index, plan.result);
        else {
          if (unit?.write.chains.length) {
            // The unit before writes the head: this one starts from the version it leaves.
            const person = running.get(personId) as PersonSnapshot;
            running.set(personId, { ...person, headVersion: person.headVersion + 1 });
            plan = this.#plan(source, event, running, current, now);
          }
          if (!plan.write) throw new Error("an event planned twice changed its outcome");
          personUnits.push(newUnit(plan.write, index, plan.result));
        }
        const after = plan.write.chains[0];
        const person = running.get(personId) as PersonSnapshot;
        running.set(personId, {
          ...person,
          ...(after ? { chain: after.after, ruleState: after.ruleState } : {}),
          facts: plan.write.facts?.[0]?.facts ?? person.facts,
        });
      }
      units.set(personId, personUnits);
    }
    await this.#writeUnits(units, results);
  }

  /** Round by round (a person's next unit needs the head their previous one wrote), each round's units packed into transactions. */
  async #writeUnits(units: Map<PersonId, BatchUnit[]>, results: (EventResult | undefined)[]) {
    const failed = new Set<PersonId>();
    for (let round = 0; ; round++) {
      const due = [...units].flatMap(([personId, list]) => {
        const unit = list[round];
        return unit && !failed.has(personId) ? [{ personId, unit }] : [];
      });
      if (due.length === 0) return;
      const transactions: { personId: PersonId; unit: BatchUnit }[][] = [];
      let size = maxItemsPerWrite;
      for (const item of due) {
        if (size + item.unit.items > maxItemsPerWrite) {
          transactions.push([]);
          size = 0;
        }
        transactions.at(-1)?.push(item);
        size += item.unit.items;
      }
      await Promise.all(
        transactions.map(async (transaction) => {
          try {
            await this.#deps.store.append({
              chains: transaction.flatMap(({ unit }) => unit.write.chains),
              records: transaction.flatMap(({ unit }) => unit.write.records),
              facts: transaction.flatMap(({ unit }) => unit.write.facts ?? []),
            });
            for (const { unit } of transaction) for (const [index, result] of unit.results) results[index] = result;
          } catch {
            // Lost a race, throttled, timed out (written or not): these people's events from here go event by event, which reads again.
            for (const { personId } of transaction) failed.add(personId);
          }
        }),
      );
    }
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
    if (!source)
      throw new UnauthenticatedError("No webhook-signature matches a current secret of this source.", { challenge: webhookChallenge });
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

  /**
   * An admin's dry run of sample events through a source, or through the change of it waiting for
   * approval: each event's answer as the webhook would give it, nothing written, no signature.
   */
  async dryRunAsAdmin(caller: Caller, sourceId: string, events: readonly unknown[], pending: boolean) {
    const source = await this.#deps.sources.dryRunVersion(caller, sourceId, pending);
    const results: EventResult[] = [];
    for (const event of events) results.push(await this.#settle(source, event, () => this.#definitionsNow(), true));
    return { source: { sourceId, version: source.version }, results };
  }

  /**
   * Admins retract an event on behalf of its source (e.g. when the source cannot); never one that
   * paid themselves, which would reverse entries in their own chain.
   */
  async retractAsAdmin(caller: Caller, sourceId: string, eventId: string, reason: string, key: string): Promise<EventResult> {
    assertRole(caller, ["admin"]);
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
    const result = await this.#retract(
      source,
      event,
      () => this.#definitionsNow(),
      false,
      fingerprint({ key, sourceId, data }),
      caller.personId,
    );
    if (result.status !== "rejected") return result;
    const { status, code, detail, type: _type, title: _title, ...details } = result.problem;
    throw new DomainError(kindOfStatus[status] ?? "conflict", code, detail, details);
  }

  /** Rules compiled once per cached definition list: the same list object until it expires. */
  async #definitionsNow(): Promise<Definitions> {
    const [versions, badgeVersions, budgetVersions] = await Promise.all([
      this.#deps.definitions.list<RuleDefinition>("rule"),
      this.#deps.definitions.list<BadgeDefinition>("badge"),
      this.#deps.definitions.list<StoredBudget>("budget"),
    ]);
    const budgets = budgetsOf(budgetVersions);
    let rules = this.#compiled.get(versions);
    if (!rules) {
      rules = compileRules(versions.map((v): Rule => ({ ...v.body, ruleId: v.id, version: v.version })));
      this.#compiled.set(versions, rules);
    }
    const authors = new Map([
      ...versions.map((v) => [`rule:${v.id}`, authorsOf(v)] as const),
      ...badgeVersions.map((v) => [`badge:${v.id}`, authorsOf(v)] as const),
    ]);
    return {
      rules,
      badges: badgeVersions.map((v): Badge => ({ ...v.body, badgeId: v.id })),
      authors,
      budgets,
      timeZone: this.#deps.timeZone,
      ...(budgets.size ? { tree: await this.#deps.orgTree() } : {}),
    };
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

  /** One event's answer, and its write; `released`: a held award posted now, its ending written with it. */
  async #process(
    source: Versioned<Source>,
    raw: unknown,
    definitions: () => Promise<Definitions>,
    dryRun: boolean,
    release?: { held: HeldAward; settled: HeldSettlement },
  ): Promise<EventResult> {
    const released = release?.settled;
    const prepared = await this.#prepare(source, raw, released !== undefined);
    if ("status" in prepared) return prepared;
    if (prepared.kind === "retraction") return this.#retract(source, prepared.event, definitions, dryRun);
    return retryOnContention(async () => {
      const [snapshot, heldMembers] = await Promise.all([
        this.#deps.store.readEvent(source.id, prepared.event.id, prepared.people),
        this.#heldMembers(prepared),
      ]);
      // After the event's read, which brought the definitions' versions along.
      const current = await definitions();
      if (snapshot.record) return this.#duplicate(snapshot.record, prepared.fingerprint, prepared.event.id);
      const now = this.#deps.clock.now().toISOString();
      const counters = countersToRead(
        current,
        [...snapshot.people.values()].map((p) => p.person?.orgUnitId),
        now,
      );
      // An event a budget held for approval, sent again: how it stands, whatever the budget holds now.
      const kept = released ? undefined : await this.#heldForBudget(current, source.id, prepared);
      if (kept) return heldAgain(kept, prepared.fingerprint, prepared.event.id);
      const drawn = counters.length ? await this.#deps.store.readCounters(counters) : new Map<string, number>();
      const plan = this.#plan(source, prepared, snapshot.people, { ...current, drawn }, now, heldMembers);
      if (plan.hold) return dryRun ? heldAnswer(plan.hold, true) : this.#keep(plan.hold);
      if (dryRun && plan.result.status === "accepted") return { ...plan.result, awards: plan.result.awards.map(unwritten), dryRun: true };
      const settled: OnceRecord[] = [];
      if (release && released) {
        const ending = { ...released, recordedAt: now };
        const listing = listingMove(release.held, ending);
        settled.push({ kind: "held-settled", settled: ending, ...(listing ? { listing } : {}) });
      }
      if (plan.write && !dryRun) await this.#deps.store.append({ ...plan.write, records: [...plan.write.records, ...settled] });
      return plan.result;
    }, this.#deps.retry);
  }

  /**
   * A team event's members (not its subject, whose events are held whole) that an open review
   * holds: their shares are kept, the others' posted. One read of the members' holds, only where
   * holds are on and the event names a team.
   */
  async #heldMembers({ subject, members }: AwardEvent): Promise<ReadonlyMap<PersonId, string[]>> {
    const { holds, heldAwards } = this.#deps;
    const others = members.filter((m) => m !== subject);
    if (!holds || !heldAwards || others.length === 0) return new Map();
    return holds.held(others);
  }

  /** A team event's shares kept for its held members, with how each ended. */
  async #sharesOf(sourceId: string, eventId: string, members: readonly PersonId[]): Promise<HeldAwardState[]> {
    const { heldAwards } = this.#deps;
    if (!heldAwards || members.length === 0) return [];
    const found = await heldAwards.find(members.map((personId) => ({ personId, sourceId, eventId })));
    return [...found.values()];
  }

  /** The event's award held for approval (not yet posted), where a budget may hold: one read where one does. */
  async #heldForBudget(current: Definitions, sourceId: string, { subject, event }: AwardEvent): Promise<HeldAwardState | undefined> {
    const { heldAwards } = this.#deps;
    if (!heldAwards || !subject || ![...current.budgets.values()].some((b) => b.whenExhausted === "hold")) return undefined;
    const ref = { personId: subject, sourceId, eventId: event.id };
    const found = (await heldAwards.find([ref])).get(heldRefKey(ref));
    return found?.settled?.outcome === "posted" ? undefined : found;
  }

  /** Validation that needs no ledger read: a refusal, or the event ready to plan. */
  async #prepare(source: Versioned<Source>, raw: unknown, released = false): Promise<EventResult | PreparedEvent> {
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
    if (event.type === retractionType) return { kind: "retraction", event };

    if (!source.body.eventTypes.some((t) => t.type === event.type)) {
      return rejected(event.id, 422, "event-type-not-allowed", `Source ${source.id} may not send events of type ${event.type}.`, {
        eventType: event.type,
      });
    }
    const schema = dataSchemaOf(source, event.type);
    const invalidFields = schema ? dataFaults(schema, event.data) : [];
    if (invalidFields.length > 0) {
      return rejected(
        event.id,
        422,
        "data-invalid",
        `The data does not match the schema of ${event.type}: ${invalidFields.map((f) => `${f.path}: ${f.message}`).join("; ")}.`,
        { invalidFields },
      );
    }
    // A held award was young enough when it came; it is as old as its wait when released.
    const tooOld = released ? undefined : this.#tooOldOrEarly(source.body, event.time);
    if (tooOld) return rejected(event.id, 422, tooOld.code, tooOld.detail);

    const team = typeof event.data.team === "string" && idPattern.test(event.data.team) ? (event.data.team as OrgUnitId) : undefined;
    const subject = event.subject;
    if (subject !== undefined && !idPattern.test(subject))
      return rejected(event.id, 422, "person-unknown", `No person with id "${subject}".`);
    if (subject === undefined && team === undefined) {
      return rejected(event.id, 422, "no-subject", "Name the person in subject, or the team in data.team for a team event.");
    }
    // Leavers stay in their unit's list (HR reads them there) but are no longer on its team.
    const members = team
      ? (await this.#deps.peopleIn(team))
          .filter(isActive)
          .map((p) => p.personId)
          .sort()
      : [];
    if (team && members.length === 0) return rejected(event.id, 422, "team-unknown", `The team "${team}" has no members in the directory.`);
    const people = [...new Set([...(subject ? [subject as PersonId] : []), ...members])];
    const achievement: AchievementEvent = {
      sourceId: source.id,
      eventId: event.id,
      type: event.type,
      ...(subject ? { subject: subject as PersonId } : {}),
      time: event.time,
      data: event.data,
    };

    return {
      kind: "award",
      event,
      subject: subject as PersonId | undefined,
      members,
      people,
      fingerprint: fingerprint(event),
      achievement,
    };
  }

  /** What an event awards, given the people's state before it: its answer and the write that records it (none if nothing changes). */
  #plan(
    source: Versioned<Source>,
    { event, subject, members, people, fingerprint: eventFingerprint, achievement }: AwardEvent,
    snapshots: ReadonlyMap<PersonId, PersonSnapshot>,
    definitions: Definitions & { drawn?: ReadonlyMap<string, number> },
    now: string,
    heldMembers: ReadonlyMap<PersonId, string[]> = new Map(),
  ): { result: EventResult; write?: AppendWrite; hold?: HeldAward } {
    const { rules, badges } = definitions;
    const subjectPerson = subject ? snapshots.get(subject as PersonId)?.person : undefined;
    if (subject && !subjectPerson) return { result: rejected(event.id, 422, "person-unknown", `No person with id "${subject}".`) };
    if (subjectPerson && !isActive(subjectPerson)) {
      const inactive = personInactive(subjectPerson);
      return { result: rejected(event.id, 409, inactive.code, inactive.message, inactive.details) };
    }

    const states = new Map<PersonId, RuleState>(people.map((p) => [p, (snapshots.get(p) as PersonSnapshot).ruleState]));
    const evaluation = evaluateEvent({ rules, event: achievement, states, members, timeZone: this.#deps.timeZone });
    const placedAt = placement(event.time, [...states.values()]);
    const actor: Actor = { kind: "source", sourceId: source.id, eventId: event.id };
    // A measure (numbers in the data) becomes the subject's latest of its type, if it is newer.
    const measure = subject ? measureOf(source.id, event) : undefined;
    const subjectFacts = subject ? (snapshots.get(subject as PersonId) as PersonSnapshot).facts : undefined;
    const newer = measure && subjectFacts && (subjectFacts.measures[event.type]?.time ?? "") <= measure.time;
    // Members a review holds: their share is kept (written with the event's record), nothing of theirs moves.
    const kept = people.flatMap((personId): HeldAward[] => {
      const reviews = heldMembers.get(personId);
      const touched = evaluation.grants.some((g) => g.personId === personId) || evaluation.states.get(personId) !== states.get(personId);
      return reviews && touched ? [{ ...heldOf(source.id, event, personId, eventFingerprint, reviews, now), share: { members } }] : [];
    });
    const keptPeople = new Set(kept.map((k) => k.personId));
    const chains = people.flatMap((personId): ChainAppend[] => {
      if (keptPeople.has(personId)) return [];
      const person = snapshots.get(personId) as PersonSnapshot;
      const evaluated = evaluation.states.get(personId) ?? person.ruleState;
      // Progress that changed is placed where this event sits, so that the person's next event comes after it.
      const ruleState = evaluated === person.ruleState ? evaluated : { ...evaluated, at: placedAt };
      const context = { actor, occurredAt: event.time, recordedAt: now };
      const movements = evaluation.grants.filter((g) => g.personId === personId).flatMap((g) => grantMovements(g, context));
      // The head is written even without entries when the facts change: its version serialises writers.
      if (movements.length === 0 && ruleState === person.ruleState && !(newer && personId === subject)) return [];
      const { entries, state } = appendWithBadges(person.chain, movements, ruleState, badges, context);
      return [{ before: person.chain, after: state, entries, ruleState, headVersion: person.headVersion }];
    });
    // Separation of duties and exhausted budgets: a refusal is this event's answer, in a batch as alone.
    let draws: Draw[];
    try {
      refuseSelfDealing(source, definitions, chains);
      draws = drawsFor(
        definitions,
        chains.flatMap((c) => c.entries),
        (personId) => snapshots.get(personId)?.person?.orgUnitId,
        definitions.drawn ?? new Map(),
        now,
        () => randomInt(budgetShards),
      );
    } catch (error) {
      const budgetId = heldForApproval(error);
      const budget = budgetId === undefined ? undefined : definitions.budgets.get(budgetId);
      if (budget && subject && this.#deps.heldAwards) {
        const { orgUnitId, period, authors = [] } = budget;
        const hold = {
          ...heldOf(source.id, event, subject, eventFingerprint, [], now),
          budget: { budgetId: budget.budgetId, orgUnitId, period, authors },
        };
        return { result: heldAnswer(hold, false), hold };
      }
      if (error instanceof DomainError && statusOfKind[error.kind])
        return { result: rejected(event.id, statusOfKind[error.kind] as number, error.code, error.message, error.details) };
      throw error;
    }
    const awards = chains.flatMap((c) => c.entries.map(awardView));
    const allNotes = [...evaluation.notes, ...overspendNotes(draws)];
    const notes = allNotes.length ? { notes: allNotes } : {};
    const counters = draws.flatMap((d) => d.counters);
    const record: EventRecord = {
      sourceId: source.id,
      eventId: event.id,
      type: event.type,
      fingerprint: eventFingerprint,
      recordedAt: now,
      awards,
      effects: evaluation.effects.filter((e) => !keptPeople.has(e.personId)),
      ...(subject ? { subject } : {}),
      ...(members.length ? { members } : {}),
      ...(kept.length ? { heldMembers: kept.map((k) => k.personId) } : {}),
      time: event.time,
      placedAt,
      data: event.data,
      ruleVersions: ruleVersionsFor(rules, event.type),
      ...(counters.length ? { budgetDraws: counters.map(({ counter, delta }) => ({ counter, delta })) } : {}),
    };
    const measureRecords: OnceRecord[] = measure ? [{ kind: "measure", personId: subject as PersonId, measure, recordedAt: now }] : [];
    const keptRecords = kept.map((held): OnceRecord => {
      const { personId, sourceId, eventId } = held;
      return { kind: "held", personId, sourceId, eventId, body: { ...held } };
    });
    const keptAnswer = kept.length ? { held: kept.map(({ personId, reviews }) => ({ personId, reviews })) } : {};
    return {
      result: { id: event.id, status: "accepted", awards, ...notes, ...keptAnswer },
      write: {
        chains,
        records: [{ kind: "event", record }, ...measureRecords, ...keptRecords],
        ...(counters.length ? { counters } : {}),
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
      },
    };
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
    retractedBy?: PersonId,
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
      // A team event's shares kept for held members: one posted since is undone with the rest, one still held is rejected.
      const shares = await this.#sharesOf(source.id, targetId, original.heldMembers ?? []);
      const postings = shares.flatMap((s) => (s.settled?.posting ? [s.settled.posting] : []));
      const waiting = shares.filter((s) => !s.settled);
      const effects = [...original.effects, ...postings.flatMap((p) => p.effects)];
      const shareEntries = postings.flatMap((p) => p.entryIds);
      const people = [
        ...new Set([
          ...original.awards.map((a) => a.personId),
          ...effects.map((e) => e.personId),
          ...shares.filter((s) => s.settled?.posting).map((s) => s.held.personId),
        ]),
      ];
      if (retractedBy) assertNotSelf("reversal", retractedBy, people, { sourceId: source.id, eventId: targetId });
      const [target, entries] = await Promise.all([
        store.readEvent(source.id, targetId, people),
        store.readEntries([...original.awards.filter((a) => a.kind === "award").map((a) => a.entryId), ...shareEntries]),
      ]);
      const before = new Map(people.map((p) => [p, (target.people.get(p) as PersonSnapshot).ruleState]));
      const states = undoEffects(before, effects);
      // After the events of its people that came before it: what comes after it sees the undo.
      const placedAt = placement(event.time, [...before.values()]);
      const now = this.#deps.clock.now().toISOString();
      const actor: Actor = { kind: "source", sourceId: source.id, eventId: event.id };
      const reason = `撤回事件 ${targetId}${data.data.reason ? `：${data.data.reason}` : ""}`;
      const chains = await Promise.all(
        people.map(async (personId): Promise<ChainAppend> => {
          const person = target.people.get(personId) as PersonSnapshot;
          const ruleState = { ...(states.get(personId) ?? person.ruleState), at: placedAt };
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
      if (dryRun) return { id: event.id, status: "accepted", awards: awards.map(unwritten), dryRun: true };
      const record: EventRecord = {
        sourceId: source.id,
        eventId: event.id,
        type: event.type,
        fingerprint: eventFingerprint,
        recordedAt: now,
        awards,
        effects: [],
        retracts: targetId,
        time: event.time,
        placedAt,
        data: event.data,
      };
      await store.append({
        chains,
        records: [
          { kind: "event", record },
          { kind: "retraction", sourceId: source.id, eventId: targetId, retractedBy: event.id, recordedAt: now },
          ...reversed,
          // Exclusive with a release posting it: both write its ending once.
          ...waiting.map(({ held }): OnceRecord => {
            const by = (retractedBy ?? source.id) as PersonId;
            return { kind: "held-settled", settled: { ...this.#settlement(held, "rejected", by, reason), recordedAt: now } };
          }),
        ],
        // The coins go back to the budgets they were drawn from.
        counters: [...(original.budgetDraws ?? []), ...postings.flatMap((p) => p.budgetDraws ?? [])].map(
          ({ counter, delta }): CounterUpdate => ({ counter, delta: -delta }),
        ),
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

const heldAnswer = (held: HeldAward, dryRun: boolean): EventResult => ({
  id: held.eventId,
  status: "held",
  reviews: held.reviews,
  ...(held.budget ? { budget: { orgUnitId: held.budget.orgUnitId, period: held.budget.period } } : {}),
  detail: held.budget
    ? `The coin budget of ${held.budget.orgUnitId} for ${held.budget.period} is exhausted; this event is kept until an approver releases or rejects it.`
    : `Awards to ${held.personId} wait for a review (${held.reviews.join(", ")}); this event is kept and posted once it is dismissed.`,
  ...(dryRun ? { dryRun: true as const } : {}),
});

const heldOf = (
  sourceId: string,
  event: CloudEvent,
  personId: PersonId,
  fingerprint: string,
  reviews: string[],
  heldAt: string,
): HeldAward => ({
  personId,
  sourceId,
  eventId: event.id,
  type: event.type,
  time: event.time,
  fingerprint,
  event,
  reviews,
  heldAt,
});

/** A kept share's refusal, once it was rejected. */
const rejectedShare = ({ held, settled }: HeldAwardState): EventResult =>
  rejected(held.eventId, 409, "award-rejected", `This award was held and rejected by ${settled?.by}: ${settled?.reason}`);

/** The same event id again while its award is held or after it was rejected. */
function heldAgain(state: HeldAwardState, eventFingerprint: string, id: string): EventResult {
  if (state.held.fingerprint !== eventFingerprint)
    return rejected(
      id,
      409,
      "event-id-reused",
      `Event id "${id}" was already used for an event with different content; give a new event a new id.`,
    );
  if (state.settled?.outcome === "rejected")
    return rejected(id, 409, "award-rejected", `This event's award was held and rejected by ${state.settled.by}: ${state.settled.reason}`, {
      rejectedBy: state.settled.by,
      reason: state.settled.reason,
    });
  return heldAnswer(state.held, false);
}

interface Definitions extends BudgetBook {
  rules: CompiledRules;
  badges: Badge[];
  /** Who wrote or approved the current version of each rule and badge, by `rule:<id>` and `badge:<id>`. */
  authors: Map<string, PersonId[]>;
}

/**
 * Separation of duties (domain/kernel/duties.ts): nobody is paid by an event under a source version
 * they wrote or approved or whose secrets they created, a rule version or a badge version they
 * wrote or approved.
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

interface AwardEvent {
  kind: "award";
  event: CloudEvent;
  subject: PersonId | undefined;
  members: PersonId[];
  people: PersonId[];
  fingerprint: string;
  achievement: AchievementEvent;
}

type PreparedEvent = AwardEvent | { kind: "retraction"; event: CloudEvent };

/** One person's events of a batch written together: at most one chain append, within a transaction's items. */
interface BatchUnit {
  write: AppendWrite & { chains: ChainAppend[]; records: OnceRecord[] };
  /** The transaction items the write takes, counted as the store counts them (a checkpoint and facts always assumed). */
  items: number;
  entries: number;
  results: [number, EventResult][];
}

/** Items per transaction (DynamoDB's limit is 100), and entries per chain append, so that a checkpoint still comes about every 50. */
const maxItemsPerWrite = 100;
const maxEntriesPerUnit = 48;

const itemsOf = (write: AppendWrite) => write.chains.reduce((sum, chain) => sum + chain.entries.length + 1, 0) + write.records.length + 2;

function newUnit(write: AppendWrite, index: number, result: EventResult): BatchUnit {
  const entries = write.chains.reduce((sum, chain) => sum + chain.entries.length, 0);
  return {
    write: { chains: [...write.chains], records: [...write.records], ...(write.facts ? { facts: [...write.facts] } : {}) },
    items: itemsOf(write),
    entries,
    results: [[index, result]],
  };
}

/** Whether the next event of the same person still fits the unit. */
function fits(unit: BatchUnit, write: AppendWrite): boolean {
  const entries = write.chains.reduce((sum, chain) => sum + chain.entries.length, 0);
  return unit.entries + entries <= maxEntriesPerUnit && unit.items + entries + write.records.length <= maxItemsPerWrite;
}

/** The person's next event added to the unit: its entries after the unit's, the head and facts as after it. */
function merge(unit: BatchUnit, write: AppendWrite, index: number, result: EventResult): void {
  const next = write.chains[0];
  const current = unit.write.chains[0];
  if (next && current)
    unit.write.chains[0] = { ...current, after: next.after, entries: [...current.entries, ...next.entries], ruleState: next.ruleState };
  else if (next) unit.write.chains.push(next);
  unit.write.records.push(...write.records);
  if (write.facts) unit.write.facts = [...write.facts];
  unit.items = itemsOf(unit.write);
  unit.entries = unit.write.chains.reduce((sum, chain) => sum + chain.entries.length, 0);
  unit.results.push([index, result]);
}

/** The numeric top-level fields of an event's data: what gates can ask of ("completion ≥ 90"). */
function measureOf(sourceId: string, event: CloudEvent): Measure | undefined {
  const values = Object.fromEntries(Object.entries(event.data).filter(([, v]) => typeof v === "number" && Number.isFinite(v))) as Record<
    string,
    number
  >;
  return Object.keys(values).length ? { eventType: event.type, sourceId, eventId: event.id, time: event.time, values } : undefined;
}

/**
 * Where an event sits in the order its people's events are settled (`EventRecord.placedAt`): its
 * time, or a millisecond after the latest of theirs if that is later.
 */
function placement(time: string, states: readonly RuleState[]): string {
  const after = Math.max(...states.map((state) => (state.at ? Date.parse(state.at) + 1 : Number.NEGATIVE_INFINITY)));
  return new Date(Math.max(Date.parse(time), after)).toISOString();
}

/** The person an event names in its subject, if any. */
function subjectOf(raw: unknown): PersonId | undefined {
  const subject = (raw as { subject?: unknown } | null)?.subject;
  return typeof subject === "string" ? (subject as PersonId) : undefined;
}

/** The id of the event a retraction retracts, if `raw` is one. */
function retractedBy(raw: unknown): string | undefined {
  const event = raw as { type?: unknown; data?: { eventId?: unknown } } | null;
  return event?.type === retractionType && typeof event.data?.eventId === "string" ? event.data.eventId : undefined;
}

/** The retractions of a batch that come before every other event of their person in it (none answered yet). */
function leadingRetractions(events: readonly unknown[], people: readonly (PersonId | undefined)[], answered: readonly unknown[]): number[] {
  const started = new Set<PersonId>();
  return events.flatMap((raw, index) => {
    const person = people[index];
    if (!person || answered[index]) return [];
    if (retractedBy(raw) !== undefined && !started.has(person)) return [index];
    started.add(person);
    return [];
  });
}

/** The given indices by the person whose sequence each takes its place in, each group in batch order. */
function groupByPerson(people: readonly (PersonId | undefined)[], indices: readonly number[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const index of indices) {
    const person = people[index];
    const key = person ? `subject:${person}` : `event:${index}`;
    groups.set(key, [...(groups.get(key) ?? []), index]);
  }
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
