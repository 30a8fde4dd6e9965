/**
 * Promotion-eligibility checks for HR: one person or a candidate list, now or as of the end of a
 * past day, each criterion explained, every check recorded in the audit trail.
 */
import { assertCanRead, assertRole, type Caller, isActive, type OrgTree, type Person } from "../directory/index.ts";
import { auditWindow } from "../kernel/audit.ts";
import { mapLimit } from "../kernel/concurrency.ts";
import {
  DefinitionChanges,
  type DefinitionStore,
  type DefinitionView,
  definitionView,
  type FourEyesPolicy,
  type Versioned,
} from "../kernel/definitions.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import { endOfDay, periodKey } from "../kernel/periods.ts";
import type { Clock } from "../kernel/ports.ts";
import type { AsOfClock, PersonSnapshot } from "../ledger/index.ts";
import { type EligibilityFacts, evaluateGate, type GateDefinition, type GateResult, summarise } from "./gates.ts";
import type { EligibilityStore } from "./ports.ts";

export interface EligibilityDeps {
  store: EligibilityStore;
  definitions: DefinitionStore;
  orgTree(): Promise<OrgTree>;
  peopleIn(orgUnitId: OrgUnitId): Promise<Person[]>;
  clock: Clock;
  timeZone: string;
  newId(): string;
  fourEyes?: () => FourEyesPolicy;
}

export const maxCandidates = 1000;
const checksInFlight = 16;

export type PersonCheck = GateResult | { personId: string; eligible: false; problem: { code: string; detail: string } };

/** Which clock an as-of answer used: "as of D as known on D" (K = D) or "as of D, known now". */
export type Known = "then" | "now";

export interface AsOfAnswer {
  day: string;
  known: Known;
  clock: AsOfClock;
  /** The day the knowledge is taken from: the as-of day itself, or "now". */
  knownOn: string;
  meaning: string;
}

export function asOfAnswer(day: string, known: Known): AsOfAnswer {
  return known === "now"
    ? {
        day,
        known,
        clock: "known-now",
        knownOn: "now",
        meaning: `What happened by the end of ${day}, with everything known now (imported and back-dated entries included).`,
      }
    : {
        day,
        known,
        clock: "known-then",
        knownOn: day,
        meaning: `What was recorded by the end of ${day}: the answer a decision on that day got.`,
      };
}

/** What a gate is checked against now, from the person's snapshot; nothing for an unknown person. */
export function factsNow(clock: Clock, snapshot: PersonSnapshot): EligibilityFacts | undefined {
  if (!snapshot.person) return undefined;
  return {
    person: snapshot.person,
    chain: snapshot.chain,
    measures: Object.values(snapshot.facts.measures),
    penalties: snapshot.facts.penalties,
    at: clock.now().toISOString(),
  };
}

/** The gates for the person's tier that they meet now. */
export function gatesMet(gates: readonly Versioned<GateDefinition>[], facts: EligibilityFacts): Versioned<GateDefinition>[] {
  return gates.filter(
    (gate) =>
      gate.body.tier === facts.person.tier &&
      evaluateGate({ gateId: gate.id, version: gate.version, definition: gate.body }, facts).eligible,
  );
}

export class EligibilityService {
  readonly #deps: EligibilityDeps;
  readonly #changes: DefinitionChanges;

  constructor(deps: EligibilityDeps) {
    this.#deps = deps;
    this.#changes = new DefinitionChanges(deps);
  }

  async getGate(caller: Caller, gateId: string) {
    assertRole(caller, ["admin", "hr"]);
    return this.#changes.withPending<GateDefinition, DefinitionView<GateDefinition>>("gate", gateId, definitionView);
  }

  async gates(): Promise<DefinitionView<GateDefinition>[]> {
    const gates = await this.#deps.definitions.list<GateDefinition>("gate");
    return gates.map(definitionView).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** One person (hr, admin; a manager for themselves and their teams). */
  async check(
    caller: Caller,
    personId: PersonId,
    gateId: string,
    asOf?: string,
    known: Known = "then",
  ): Promise<GateResult & { asOf?: AsOfAnswer }> {
    this.#assertNotFuture(asOf);
    // Read first, the person brings the definitions' versions along: the gate then costs no read of its own.
    const now = asOf === undefined ? await this.#deps.store.now(personId) : undefined;
    const [gate, tree] = await Promise.all([this.#gate(gateId), this.#deps.orgTree()]);
    const facts = now ? factsNow(this.#deps.clock, now) : await this.#facts(personId, gate.body, asOf, known);
    if (!facts) {
      if (caller.roles.includes("hr") || caller.roles.includes("admin")) throw new NotFoundError("person", personId);
      throw new DomainError("forbidden", "forbidden", `You may check yourself and the teams you lead; ${personId} is not among them.`);
    }
    assertCanRead(caller, facts.person, tree);
    try {
      const result = evaluateGate({ gateId, version: gate.version, definition: gate.body }, facts);
      await this.#audit(
        caller,
        "eligibility-check",
        [personId],
        { gateId, version: gate.version, asOf: asOf ?? null, ...(asOf === undefined ? {} : { known }) },
        result.eligible ? "eligible" : "not-eligible",
      );
      return asOf === undefined ? result : { ...result, asOf: asOfAnswer(asOf, known) };
    } catch (error) {
      if (error instanceof DomainError)
        await this.#audit(
          caller,
          "eligibility-check",
          [personId],
          { gateId, version: gate.version, asOf: asOf ?? null, ...(asOf === undefined ? {} : { known }) },
          error.code,
        );
      throw error;
    }
  }

  /** A candidate list or an org unit and everything below it (hr, admin). */
  async checkMany(
    caller: Caller,
    request: {
      gateId: string;
      personIds?: string[] | undefined;
      orgUnitId?: string | undefined;
      asOf?: string | undefined;
      known?: Known | undefined;
      /** A dry run of the change waiting for approval, as the version it would become. */
      pending?: boolean | undefined;
    },
  ) {
    const known = request.known ?? "then";
    assertRole(caller, ["hr", "admin"]);
    const gate = request.pending ? await this.#pendingGate(request.gateId) : await this.#gate(request.gateId);
    const people = request.orgUnitId ? await this.#everyoneIn(request.orgUnitId as OrgUnitId) : [...new Set(request.personIds ?? [])];
    if (people.length > maxCandidates) {
      throw new DomainError(
        "too-large",
        "too-many-candidates",
        `Check at most ${maxCandidates} people at once; this request names ${people.length}.`,
        { limit: maxCandidates },
      );
    }
    // Now: everyone's profile, head and facts read together; as of a day, each person's past on its own.
    this.#assertNotFuture(request.asOf);
    const now = request.asOf === undefined ? await this.#deps.store.nowMany(people as PersonId[]) : undefined;
    const results = await mapLimit(people, checksInFlight, async (personId): Promise<PersonCheck> => {
      const snapshot = now?.get(personId as PersonId);
      const facts = snapshot
        ? factsNow(this.#deps.clock, snapshot)
        : await this.#facts(personId as PersonId, gate.body, request.asOf, known);
      if (!facts) return { personId, eligible: false, problem: { code: "person-not-found", detail: `No person with id "${personId}".` } };
      try {
        return evaluateGate({ gateId: request.gateId, version: gate.version, definition: gate.body }, facts);
      } catch (error) {
        if (error instanceof DomainError) return { personId, eligible: false, problem: { code: error.code, detail: error.message } };
        throw error;
      }
    });
    const evaluated = results.filter((r): r is GateResult => "criteria" in r);
    const summary = { ...summarise(evaluated), checked: results.length, notEvaluated: results.length - evaluated.length };
    await this.#audit(
      caller,
      "eligibility-check",
      people,
      {
        gateId: request.gateId,
        version: gate.version,
        asOf: request.asOf ?? null,
        ...(request.asOf === undefined ? {} : { known }),
        ...(request.pending ? { pending: true } : {}),
      },
      `${summary.eligible} of ${summary.checked} eligible`,
    );
    return {
      gate: { gateId: request.gateId, version: gate.version, name: gate.body.name },
      asOf: request.asOf === undefined ? null : asOfAnswer(request.asOf, known),
      summary,
      results,
    };
  }

  /** A day of the company's calendar (its time zone), newest first, a page at a time. */
  async auditTrail(caller: Caller, day: string, limit: number, cursor?: string) {
    assertRole(caller, ["admin"]);
    const window = auditWindow(day, this.#deps.timeZone);
    const page = await this.#deps.store.auditTrail(window, limit, cursor);
    return { day, timeZone: this.#deps.timeZone, ...window, records: page.items, cursor: page.cursor ?? null };
  }

  async #gate(gateId: string): Promise<Versioned<GateDefinition>> {
    const gate = await this.#deps.definitions.get<GateDefinition>("gate", gateId);
    if (!gate) throw new NotFoundError("gate", gateId);
    return gate;
  }

  async #pendingGate(gateId: string): Promise<Versioned<GateDefinition>> {
    return this.#changes.pendingVersion<GateDefinition>("gate", gateId);
  }

  async #everyoneIn(orgUnitId: OrgUnitId): Promise<string[]> {
    const tree = await this.#deps.orgTree();
    if (!tree.get(orgUnitId)) throw new NotFoundError("org-unit", orgUnitId);
    const units = tree.subtree(orgUnitId);
    // Leavers are nobody's candidates.
    return (await Promise.all(units.map((unit) => this.#deps.peopleIn(unit))))
      .flat()
      .filter(isActive)
      .map((p) => p.personId);
  }

  /** A day that has not begun in the company's time zone has no answer yet: it would only change. */
  #assertNotFuture(asOf: string | undefined): void {
    if (asOf === undefined) return;
    const today = periodKey(this.#deps.clock.now(), "day", this.#deps.timeZone);
    if (asOf > today)
      throw new DomainError(
        "invalid",
        "as-of-in-future",
        `asOf ${asOf} is after today (${today}, ${this.#deps.timeZone}); give a day up to today.`,
        {
          asOf,
          today,
          timeZone: this.#deps.timeZone,
        },
      );
  }

  async #facts(personId: PersonId, gate: GateDefinition, asOf: string | undefined, known: Known): Promise<EligibilityFacts | undefined> {
    if (asOf === undefined) return factsNow(this.#deps.clock, await this.#deps.store.now(personId));
    const at = endOfDay(asOf, this.#deps.timeZone);
    const measureTypes = gate.criteria.flatMap((c) => (c.kind === "measure" ? [c.eventType] : []));
    const days = Math.max(0, ...gate.criteria.flatMap((c) => (c.kind === "noPenalty" ? [c.withinDays] : [])));
    const past = await this.#deps.store.asOf(
      personId,
      { day: asOf, cutoff: at, clock: asOfAnswer(asOf, known).clock },
      [...new Set(measureTypes)],
      new Date(Date.parse(at) - days * 86_400_000).toISOString(),
    );
    return past.person ? { person: past.person, chain: past.chain, measures: past.measures, penalties: past.penalties, at } : undefined;
  }

  async #audit(caller: Caller, action: string, targets: string[], details: Record<string, unknown>, outcome: string) {
    await this.#deps.store.audit({
      auditId: this.#deps.newId(),
      at: this.#deps.clock.now().toISOString(),
      actor: caller.personId,
      action,
      targets,
      details,
      outcome,
    });
  }
}
