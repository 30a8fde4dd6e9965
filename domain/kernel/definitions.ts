/**
 * Admin-defined definitions (sources, rules, badges, gates, rewards, indices, budgets) are versioned:
 * every change is a new version, and what they produce records the version that produced it.
 * Under four eyes a change is first a proposal, visible and dry-runnable, and becomes the next
 * version only when a second admin approves it.
 */
import { assertNotSelf } from "./duties.ts";
import { DomainError, NotFoundError } from "./errors.ts";
import type { PersonId } from "./model.ts";
import type { Clock } from "./ports.ts";

export const definitionKinds = ["source", "rule", "badge", "reward", "index", "gate", "budget"] as const;
export type DefinitionKind = (typeof definitionKinds)[number];
/** Proposals are stored as definitions of their own kind, beside the definitions they change. */
export type StoredKind = DefinitionKind | `proposed-${DefinitionKind}`;

export interface Versioned<T> {
  id: string;
  version: number;
  updatedAt: string;
  updatedBy: PersonId;
  /** The second admin who approved this version, when four eyes applied. */
  approvedBy?: PersonId;
  body: T;
}

/**
 * Reads are current as of the request: a change saved before the request began is seen, on every
 * instance, however the adapter caches.
 */
export interface DefinitionStore {
  get<T>(kind: StoredKind, id: string): Promise<Versioned<T> | undefined>;
  /** Every current definition of a kind. */
  list<T>(kind: StoredKind): Promise<Versioned<T>[]>;
  /**
   * A definition as this instance last saw it, possibly out of date: for a first decision that a
   * `get` later in the same request confirms (the webhook checks a signature with it, and again
   * if the source turns out to have changed).
   */
  peek<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes the next version. `previous` is the version the change was based on (0 for a new
   * definition); a concurrent change makes this throw a 409 rather than silently win.
   */
  put<T>(kind: StoredKind, definition: Versioned<T>, previous: number): Promise<void>;
}

/** Which changes wait for a second admin. Off unless configured (on by default in prod). */
export interface FourEyesPolicy {
  /** Kinds whose every change waits for approval. */
  kinds: readonly DefinitionKind[];
  /** Rules whose award per event (coins plus points) exceeds this wait for approval. */
  ruleAwardAbove?: number;
}
export const noFourEyes: FourEyesPolicy = { kinds: [] };

/** A change waiting for approval; it becomes version `basedOn + 1` when approved. */
export interface Proposal<T> {
  basedOn: number;
  definition: T;
}

export interface DefinitionView<T> {
  id: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
  approvedBy?: string;
  definition: T;
}

export interface ProposalView<T> {
  id: string;
  proposal: number;
  basedOn: number;
  proposedAt: string;
  proposedBy: string;
  definition: T;
}

export type ChangeResult<T> = { status: "current"; view: DefinitionView<T> } | { status: "pending"; view: ProposalView<T> };

export const definitionView = <T>(v: Versioned<T>): DefinitionView<T> => ({
  id: v.id,
  version: v.version,
  updatedAt: v.updatedAt,
  updatedBy: v.updatedBy,
  ...(v.approvedBy ? { approvedBy: v.approvedBy } : {}),
  definition: v.body,
});

const proposalView = <T>(p: Versioned<Proposal<T>>): ProposalView<T> => ({
  id: p.id,
  proposal: p.version,
  basedOn: p.body.basedOn,
  proposedAt: p.updatedAt,
  proposedBy: p.updatedBy,
  definition: p.body.definition,
});

/** How a proposal becomes a stored body, given the current version (a source keeps its sealed secrets). */
type Completion<T, P> = (definition: P, current: Versioned<T> | undefined) => T;
const asIs = <T, P>(definition: P): T => definition as unknown as T;

const noPendingChange = (kind: DefinitionKind, id: string) =>
  new DomainError("not-found", "no-pending-change", `No change of ${kind} ${id} is waiting for approval.`, { id });

/**
 * Safe concurrent edits (HTTP If-Match, or the version sent back): a change made from version
 * `ifMatch` is refused when what it changes (a definition, a person) has moved on since, so that
 * one admin's edit never silently undoes another's.
 */
export function assertUnchanged(id: string, current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current)
    throw new DomainError(
      "precondition-failed",
      "version-mismatch",
      `${id} is at version ${current}, not ${ifMatch} as your If-Match says: someone changed it since you read it; read it again.`,
      { id, version: current, ifMatch },
    );
}

/** Changes definitions of every kind the same way: directly, or by proposal and approval. */
export class DefinitionChanges {
  readonly #store: DefinitionStore;
  readonly #clock: Clock;
  readonly #policy: () => FourEyesPolicy;

  constructor(deps: { definitions: DefinitionStore; clock: Clock; fourEyes?: () => FourEyesPolicy }) {
    this.#store = deps.definitions;
    this.#clock = deps.clock;
    this.#policy = deps.fourEyes ?? (() => noFourEyes);
  }

  /** Whether a change of this kind (a rule's: paying this much per event) waits for a second admin. */
  needsApproval(kind: DefinitionKind, awardPerEvent?: number): boolean {
    const policy = this.#policy();
    const above = policy.ruleAwardAbove;
    return policy.kinds.includes(kind) || (awardPerEvent !== undefined && above !== undefined && awardPerEvent > above);
  }

  /** A rule's change passes its award per event, which decides whether it needs approval. */
  async change<T>(
    author: PersonId,
    kind: DefinitionKind,
    id: string,
    body: T,
    options: { awardPerEvent?: number; ifMatch?: number | undefined } = {},
  ): Promise<ChangeResult<T>> {
    const { awardPerEvent, ifMatch } = options;
    const current = await this.#store.get<T>(kind, id);
    const basedOn = current?.version ?? 0;
    assertUnchanged(id, basedOn, ifMatch);
    const now = this.#clock.now().toISOString();
    if (!this.needsApproval(kind, awardPerEvent)) {
      const next: Versioned<T> = { id, version: basedOn + 1, updatedAt: now, updatedBy: author, body };
      await this.#store.put(kind, next, basedOn);
      return { status: "current", view: definitionView(next) };
    }
    const last = await this.#store.get<Proposal<T>>(`proposed-${kind}`, id);
    const proposal: Versioned<Proposal<T>> = {
      id,
      version: (last?.version ?? 0) + 1,
      updatedAt: now,
      updatedBy: author,
      body: { basedOn, definition: body },
    };
    await this.#store.put(`proposed-${kind}`, proposal, last?.version ?? 0);
    return { status: "pending", view: proposalView(proposal) };
  }

  /** The change waiting for approval, if the definition has not moved on since it was proposed. */
  async pending<P>(kind: DefinitionKind, id: string): Promise<ProposalView<P> | undefined> {
    return (await this.read<unknown, P>(kind, id)).pending;
  }

  /** The current version and the change waiting for approval, if any. */
  async read<T, P = T>(kind: DefinitionKind, id: string): Promise<{ current?: Versioned<T>; pending?: ProposalView<P> }> {
    const [current, proposal] = await Promise.all([this.#store.get<T>(kind, id), this.#store.get<Proposal<P>>(`proposed-${kind}`, id)]);
    const pending = proposal && proposal.body.basedOn === (current?.version ?? 0) ? proposalView(proposal) : undefined;
    return { ...(current ? { current } : {}), ...(pending ? { pending } : {}) };
  }

  /** The change waiting for approval as the version it would become: what a dry run before approval evaluates. */
  async pendingVersion<T, P = T>(kind: DefinitionKind, id: string, complete: Completion<T, P> = asIs): Promise<Versioned<T>> {
    const { current, pending } = await this.read<T, P>(kind, id);
    if (!pending) throw noPendingChange(kind, id);
    const { basedOn, proposedAt, proposedBy, definition } = pending;
    return { id, version: basedOn + 1, updatedAt: proposedAt, updatedBy: proposedBy as PersonId, body: complete(definition, current) };
  }

  /**
   * What admins read: the current version as `show` presents it, with the change waiting for
   * approval beside it; a definition proposed but never approved is version 0 with its proposal.
   */
  async withPending<T, V, P = T>(
    kind: DefinitionKind,
    id: string,
    show: (current: Versioned<T>) => V | Promise<V>,
  ): Promise<(V & { pending?: ProposalView<P> }) | { id: string; version: 0; pending: ProposalView<P> }> {
    const { current, pending } = await this.read<T, P>(kind, id);
    if (current) return { ...(await show(current)), ...(pending ? { pending } : {}) };
    if (pending) return { id, version: 0, pending };
    throw new NotFoundError(kind, id);
  }

  /**
   * A second admin makes proposal number `proposal` the next version; its author cannot. A kind
   * whose stored body holds more than was proposed (a source's sealed secrets) says how to
   * `complete` the proposal from the current version.
   */
  async approve<T, P = T>(
    approver: PersonId,
    kind: DefinitionKind,
    id: string,
    proposal: number,
    complete: Completion<T, P> = asIs,
  ): Promise<DefinitionView<T>> {
    const [current, proposed] = await Promise.all([this.#store.get<T>(kind, id), this.#store.get<Proposal<P>>(`proposed-${kind}`, id)]);
    // The same approval again (a retry after a lost answer): the version it made, not a 404.
    const approvedAlready =
      current?.approvedBy === approver && proposed?.version === proposal && proposed.body.basedOn + 1 === current.version;
    if (approvedAlready) return definitionView(current);
    const pending = proposed && proposed.body.basedOn === (current?.version ?? 0) ? proposalView(proposed) : undefined;
    if (!pending) throw noPendingChange(kind, id);
    if (pending.proposal !== proposal) {
      throw new DomainError(
        "conflict",
        "proposal-changed",
        `The change waiting for approval is proposal ${pending.proposal}, not ${proposal}; review it before approving.`,
        { id, proposal: pending.proposal },
      );
    }
    assertNotSelf("approval", approver, [pending.proposedBy as PersonId], { kind, id, proposal });
    const next: Versioned<T> = {
      id,
      version: pending.basedOn + 1,
      updatedAt: this.#clock.now().toISOString(),
      updatedBy: pending.proposedBy as PersonId,
      approvedBy: approver,
      body: complete(pending.definition, current),
    };
    await this.#store.put(kind, next, pending.basedOn);
    return definitionView(next);
  }
}
