/**
 * A person's account: what an admin or finance does to it by hand (awards, deductions, reversals)
 * and what its holder and their leads read (balances, history, badge credentials), on top of the
 * LedgerStore port. Each write reads the person's state once, decides with the pure ledger
 * functions, and commits entries + projection + idempotency record in one atomic append.
 */
import { randomInt } from "node:crypto";
import {
  appendWithBadges,
  type Badge,
  type CredentialSigner,
  type HeldAwardStore,
  type HeldAwardView,
  heldAwardView,
  issuerId,
  issuerProfile,
  openBadgeCredentials,
  revocationMovements,
  statusListCredential,
} from "../awards/index.ts";
import { type BudgetBook, budgetShards, countersToRead, drawsFor, overspendNotes } from "../budgets/index.ts";
import { assertActive, assertCanRead, assertRole, type Caller, type OrgTree, type Person } from "../directory/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import { assertNotSelf } from "../kernel/duties.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import {
  type AssetKey,
  assetKey,
  type Capability,
  capabilities,
  type EntryId,
  type OrgUnitId,
  type PersonId,
  parseAsset,
  personAccount,
  systemAccount,
  type Tier,
} from "../kernel/model.ts";
import type { Clock, Page } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import type { EntrySnapshot, HistoryEntry, HoldBook, IdempotencyRecord, LedgerStore } from "../ledger/index.ts";
import {
  type Actor,
  appendMovements,
  grantCandidates,
  holderOfEntryId,
  type LedgerEntry,
  type Movement,
  type Outcome,
  penaltiesAfter,
  refusalsChecked,
  refuseHeld,
  replayOf,
  reversalOf,
  seqOfEntryId,
} from "../ledger/index.ts";
import type { AwardRequest, DeductionRequest, ReversalRequest } from "./schemas.ts";

export interface BalancesView {
  personId: PersonId;
  name: string;
  tier: Tier;
  orgUnitId: OrgUnitId;
  coins: number;
  points: { total: number; byCapability: Record<Capability, number> };
  badges: { badgeId: string; levels: number[] }[];
  /** The sequence number of the last entry folded in: balances are exactly as of that entry. */
  asOfSeq: number;
}

/** Who reads any ledger entry by its id: review evidence (approvers), a fund's book (finance), admins. */
const entryReaders: readonly string[] = ["admin", "approver", "finance"];

/** One entry as `GET /ledger/entries/{entryId}` answers it: where it stands in its chain, and what happened to it since. */
export type EntryView = HistoryEntry & {
  reversedBy?: EntryId;
  /** The holder's chain's length now (a person's): the entry is `seq` of it. */
  chainLength?: number;
};

export interface LedgerWriteResult {
  entries: LedgerEntry[];
  balances: BalancesView;
  /** Said when coins were issued beyond the budget they drew on (domain/budgets). */
  notes?: string[];
}

export function balancesView(person: Person, balances: Partial<Record<AssetKey, number>>, seq: number): BalancesView {
  const byCapability = Object.fromEntries(capabilities.map((c) => [c, 0])) as Record<Capability, number>;
  const badges = new Map<string, number[]>();
  let coins = 0;
  for (const [key, amount] of Object.entries(balances) as [AssetKey, number][]) {
    const asset = parseAsset(key);
    if (asset.kind === "coin") coins = amount;
    else if (asset.kind === "point") byCapability[asset.capability] = amount;
    else if (asset.kind === "badge" && amount > 0)
      badges.set(
        asset.badgeId,
        [...(badges.get(asset.badgeId) ?? []), asset.level].sort((a, b) => a - b),
      );
  }
  const total = Object.values(byCapability).reduce((sum, n) => sum + n, 0);
  return {
    personId: person.personId,
    name: person.name,
    tier: person.tier,
    orgUnitId: person.orgUnitId,
    coins,
    points: { total, byCapability },
    badges: [...badges].map(([badgeId, levels]) => ({ badgeId, levels })).sort((a, b) => a.badgeId.localeCompare(b.badgeId)),
    asOfSeq: seq,
  };
}

export interface AccountDeps {
  store: LedgerStore;
  /** Badge definitions: an award of an unknown badge is refused, points may reach a level. */
  badges: () => Promise<Badge[]>;
  orgTree: () => Promise<OrgTree>;
  /** The coin budgets awards draw on; none unless given. */
  budgets?: () => Promise<BudgetBook>;
  clock: Clock;
  /** The issuer's signature on badge credentials. */
  signer: CredentialSigner;
  retry?: RetryPolicy;
  /** People an open review holds (the integrity hold policy, when a stage turns it on): not awarded by hand meanwhile. */
  holds?: HoldBook | undefined;
  /** Awards kept while the person was held for a review: their history shows them (待审核). */
  heldAwards?: Pick<HeldAwardStore, "of">;
}

interface WriteCommand {
  caller: Caller;
  personId: PersonId;
  scope: string;
  idempotencyKey: string;
  request: unknown;
  /** Decides the movements from the person's current state; throws to refuse. */
  decide: (now: string, entry?: LedgerEntry, around?: ReadonlyMap<EntryId, EntrySnapshot>) => Movement[];
  /** Awards: points may reach badge levels, which are awarded in the same write; refused while a review holds the person. */
  reachBadges?: true;
  entryId?: EntryId;
}

export class AccountService {
  readonly #deps: AccountDeps;

  constructor(deps: AccountDeps) {
    this.#deps = deps;
  }

  async award(caller: Caller, request: AwardRequest, idempotencyKey: string): Promise<Outcome<LedgerWriteResult>> {
    assertRole(caller, ["admin"]);
    const personId = request.personId as PersonId;
    assertNotSelf("award", caller.personId, [personId]);
    if (request.badge) {
      const { badgeId, level } = request.badge;
      const badge = (await this.#deps.badges()).find((b) => b.badgeId === badgeId);
      if (!badge)
        throw new DomainError(
          "unprocessable",
          "badge-unknown",
          `No badge with id "${badgeId}"; define it at /admin/badges/${badgeId} first.`,
          { badgeId },
        );
      if (!badge.levels.some((l) => l.level === level)) {
        throw new DomainError(
          "unprocessable",
          "badge-level-unknown",
          `Badge "${badgeId}" has levels 1 to ${badge.levels.length}, not ${level}.`,
          { badgeId, level },
        );
      }
    }
    return this.#write({
      caller,
      personId,
      scope: "awards",
      idempotencyKey,
      request,
      reachBadges: true,
      decide: (now) => {
        const base = this.#movementBase(caller, request.reason, request.occurredAt ?? now);
        const from = systemAccount("issuer");
        const to = personAccount(personId);
        const movements: Movement[] = [];
        if (request.coins) movements.push({ ...base, kind: "award", asset: "coin", amount: request.coins, from, to });
        if (request.points) {
          const asset = assetKey({ kind: "point", capability: request.points.capability as Capability });
          movements.push({ ...base, kind: "award", asset, amount: request.points.amount, from, to });
        }
        if (request.badge) {
          const asset = assetKey({ kind: "badge", ...request.badge });
          movements.push({ ...base, kind: "award", asset, amount: 1, from, to });
        }
        return movements;
      },
    });
  }

  deduct(caller: Caller, request: DeductionRequest, idempotencyKey: string): Promise<Outcome<LedgerWriteResult>> {
    assertRole(caller, ["admin"]);
    const personId = request.personId as PersonId;
    assertNotSelf("deduction", caller.personId, [personId]);
    return this.#write({
      caller,
      personId,
      scope: "deductions",
      idempotencyKey,
      request,
      decide: (now) => {
        const base = { ...this.#movementBase(caller, request.reason, request.occurredAt ?? now), category: request.category };
        const from = personAccount(personId);
        const to = systemAccount("penalties");
        const movements: Movement[] = [];
        if (request.coins) movements.push({ ...base, kind: "deduction", asset: "coin", amount: request.coins, from, to });
        if (request.points) {
          const asset = assetKey({ kind: "point", capability: request.points.capability as Capability });
          movements.push({ ...base, kind: "deduction", asset, amount: request.points.amount, from, to });
        }
        return movements;
      },
    });
  }

  reverse(caller: Caller, entryId: string, request: ReversalRequest, idempotencyKey: string): Promise<Outcome<LedgerWriteResult>> {
    assertRole(caller, ["admin"]);
    const holder = holderOfEntryId(entryId);
    if (!holder?.startsWith("person:")) throw new NotFoundError("ledger-entry", entryId);
    const personId = holder.slice("person:".length) as PersonId;
    assertNotSelf("reversal", caller.personId, [personId], { entryId });
    return this.#write({
      caller,
      personId,
      scope: "reversals",
      idempotencyKey,
      request: { entryId, ...request },
      entryId: entryId as EntryId,
      decide: (now, original, around) => {
        if (!original) throw new NotFoundError("ledger-entry", entryId);
        // Revoking a badge level takes back the coins and points that came with it.
        if (parseAsset(original.asset).kind === "badge")
          return revocationMovements(original, around ?? new Map(), this.#actor(caller), request.reason, now);
        return [reversalOf(original, this.#actor(caller), request.reason, now)];
      },
    });
  }

  async balances(caller: Caller, personId: PersonId): Promise<BalancesView> {
    const [snapshot, tree] = await Promise.all([this.#deps.store.readPerson(personId), this.#deps.orgTree()]);
    const person = this.#readable(caller, personId, snapshot.person, tree);
    return balancesView(person, snapshot.chain.balances, snapshot.chain.seq);
  }

  /** A page of the person's entries; the first page also says which awards wait for a review, or were rejected on one. */
  async ledger(
    caller: Caller,
    personId: PersonId,
    limit: number,
    cursor?: string,
  ): Promise<Page<LedgerEntry> & { held?: HeldAwardView[] }> {
    // The history is read together with the access check (one round trip, not two in a row), and
    // used only once the check passed: a caller who may not read gets the same 403/404, whatever
    // the history reads did.
    const [snapshot, tree, history] = await Promise.allSettled([
      this.#deps.store.readPerson(personId),
      this.#deps.orgTree(),
      Promise.all([
        this.#deps.store.readHistory(personAccount(personId), limit, cursor),
        cursor === undefined && this.#deps.heldAwards ? this.#deps.heldAwards.of(personId) : [],
      ]),
    ]);
    this.#readable(caller, personId, settledValue(snapshot).person, settledValue(tree));
    const [page, kept] = settledValue(history);
    // A posted one is in the entries now.
    const held = kept.filter((state) => state.settled?.outcome !== "posted").map(heldAwardView);
    return held.length ? { ...page, held } : page;
  }

  /**
   * One ledger entry by its id, which names its chain and position (one GetItem's worth: the entry
   * and its reversal and hand-over markers, read in the same round trip as the holder's head and
   * the org tree). Admins, approvers and finance read any entry (review evidence, a fund's book);
   * anyone else by the history's check: their own entries and their team's. A refusal says
   * nothing of the entry; an entry that does not exist is a 404 only to those who may read its chain.
   */
  async entry(caller: Caller, entryId: string): Promise<EntryView> {
    const anyEntry = caller.roles.some((role) => entryReaders.includes(role));
    const holder = holderOfEntryId(entryId);
    const personId = holder?.startsWith("person:") ? (holder.slice("person:".length) as PersonId) : undefined;
    if (!anyEntry && !personId) {
      if (caller.roles.includes("hr") && !holder) throw new NotFoundError("ledger-entry", entryId);
      throw new DomainError("forbidden", "forbidden", "You may read your own entries and those of the teams you lead.");
    }
    const [snapshot, tree, found] = await Promise.allSettled([
      personId ? this.#deps.store.readPerson(personId) : Promise.resolve(undefined),
      anyEntry ? Promise.resolve(undefined) : this.#deps.orgTree(),
      holder ? this.#deps.store.readEntries([entryId as EntryId]) : Promise.resolve(new Map<EntryId, EntrySnapshot>()),
    ]);
    const person = settledValue(snapshot)?.person;
    if (!anyEntry) this.#readable(caller, personId as PersonId, person, settledValue(tree) as OrgTree);
    const state = settledValue(found).get(entryId as EntryId);
    if (!state?.entry) throw new NotFoundError("ledger-entry", entryId);
    const head = settledValue(snapshot)?.chain.seq;
    return {
      ...state.entry,
      ...(state.reversedBy ? { reversedBy: state.reversedBy } : {}),
      ...(state.collected ? { collected: state.collected } : {}),
      ...(head ? { chainLength: head } : {}),
    };
  }

  /**
   * Every badge level the person was ever given, as Open Badges 3.0 credentials, each also signed
   * as a VC-JWT; `base` is the API's URL, where the issuer and the status lists are published.
   */
  async credentials(caller: Caller, personId: PersonId, base: string) {
    const [person, tree] = await Promise.all([this.#deps.store.readPerson(personId).then((s) => s.person), this.#deps.orgTree()]);
    this.#readable(caller, personId, person, tree);
    const entries = await this.#badgeEntries(personId);
    const badgeIds = new Set(entries.map((e) => (parseAsset(e.asset) as { badgeId: string }).badgeId));
    const badges = new Map((await this.#deps.badges()).filter((b) => badgeIds.has(b.badgeId)).map((b) => [b.badgeId, b]));
    const issued = openBadgeCredentials(personId, entries, badges, { base, name: issuerName(tree) });
    return {
      credentials: await Promise.all(issued.map(async (c) => ({ ...c, jwt: await this.#deps.signer.sign(c.credential) }))),
    };
  }

  /** The issuer's Open Badges profile, public: a verifier reads who signed. */
  async issuer(base: string) {
    return issuerProfile({ base, name: issuerName(await this.#deps.orgTree()) });
  }

  /** The public keys credentials are signed with, as a JWK Set. */
  issuerKeys(base: string) {
    return this.#deps.signer.publicKeys(issuerId({ base, name: "" }));
  }

  /**
   * A person's revocation list, signed, public: a verifier reads it for every credential, and it
   * says nothing but which of the person's credentials were revoked (an unknown person's is empty).
   */
  async statusList(personId: PersonId, base: string): Promise<string> {
    const issuer = { base, name: issuerName(await this.#deps.orgTree()) };
    const list = statusListCredential(personId, await this.#badgeEntries(personId), issuer, this.#deps.clock.now().toISOString());
    return this.#deps.signer.sign(list);
  }

  /** The person's badge entries and their reversals, in chain order. */
  async #badgeEntries(personId: PersonId): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    for await (const entry of this.#deps.store.readChain(personAccount(personId)))
      if (entry.asset.startsWith("badge:")) entries.push(entry);
    return entries;
  }

  #readable(caller: Caller, personId: PersonId, person: Person | undefined, tree: OrgTree): Person {
    // An unknown person and a forbidden one look the same to those who may not read them.
    if (!person) {
      if (caller.roles.includes("admin") || caller.roles.includes("hr")) throw new NotFoundError("person", personId);
      throw new DomainError(
        "forbidden",
        "forbidden",
        `You may read your own data and that of the teams you lead; ${personId} is not among them.`,
      );
    }
    assertCanRead(caller, person, tree);
    return person;
  }

  #actor(caller: Caller): Actor {
    return { kind: "person", personId: caller.personId };
  }

  #movementBase(caller: Caller, reason: string, occurredAt: string) {
    return { reason, actor: this.#actor(caller), occurredAt };
  }

  /** Coins awarded by hand draw on the person's budget like a rule's (throws `budget-exhausted` if it refuses). */
  async #draws(entries: readonly LedgerEntry[], person: Person, now: string) {
    if (!this.#deps.budgets || !entries.some((e) => e.asset === "coin" && e.to === personAccount(person.personId))) return [];
    const book = await this.#deps.budgets();
    const counters = countersToRead(book, [person.orgUnitId], now);
    if (counters.length === 0) return [];
    const values = await this.#deps.store.readCounters(counters);
    return drawsFor(
      book,
      entries,
      () => person.orgUnitId,
      values,
      now,
      () => randomInt(budgetShards),
    );
  }

  #write(command: WriteCommand): Promise<Outcome<LedgerWriteResult>> {
    const { store, clock } = this.#deps;
    const fingerprintOf = fingerprint({ scope: command.scope, request: command.request });
    const ref = { scope: command.scope, key: command.idempotencyKey };
    const attempt = async (): Promise<Outcome<LedgerWriteResult>> => {
      const entryId = command.entryId;
      const [snapshot, around] = await Promise.all([
        store.readPerson(command.personId, ref),
        entryId
          ? store.readEntries([entryId, ...grantCandidates({ holder: personAccount(command.personId), seq: seqOfEntryId(entryId) })])
          : undefined,
      ]);
      const original = entryId ? around?.get(entryId) : undefined;
      const replay = replayOf<LedgerWriteResult>(snapshot.idempotency, fingerprintOf, command.idempotencyKey);
      if (replay) return replay;
      if (!snapshot.person) throw new NotFoundError("person", command.personId);
      // A leaver's wallet is frozen; a reversal still corrects a wrong entry in it.
      if (command.scope !== "reversals") assertActive(snapshot.person);
      if (command.reachBadges) await refuseHeld(this.#deps.holds, [command.personId], "This award");
      if (original?.reversedBy) {
        throw new DomainError("conflict", "already-reversed", `Entry ${command.entryId} was already reversed by ${original.reversedBy}.`, {
          entryId: command.entryId,
          reversedBy: original.reversedBy,
        });
      }
      const now = clock.now().toISOString();
      const movements = command.decide(now, original?.entry, around);
      const { entries, state } = command.reachBadges
        ? appendWithBadges(snapshot.chain, movements, snapshot.ruleState, await this.#deps.badges(), {
            actor: this.#actor(command.caller),
            occurredAt: movements[0]?.occurredAt ?? now,
            recordedAt: now,
          })
        : appendMovements(snapshot.chain, movements, now);
      const draws = await this.#draws(entries, snapshot.person, now);
      const notes = overspendNotes(draws);
      const result: LedgerWriteResult = {
        entries,
        balances: balancesView(snapshot.person, state.balances, state.seq),
        ...(notes.length ? { notes } : {}),
      };
      const idempotency: IdempotencyRecord = { ...ref, fingerprint: fingerprintOf, result, recordedAt: now };
      const reversals = entries.flatMap((entry) =>
        entry.reverses ? [{ kind: "reversal" as const, entryId: entry.reverses, reversedBy: entry.entryId, recordedAt: now }] : [],
      );
      const penalties = penaltiesAfter(snapshot.facts.penalties, entries);
      const penalty = penalties.added
        ? [{ kind: "penalty" as const, personId: command.personId, penalty: penalties.added, recordedAt: now }]
        : [];
      await store.append({
        chains: [{ before: snapshot.chain, after: state, entries, ruleState: snapshot.ruleState, headVersion: snapshot.headVersion }],
        records: [{ kind: "idempotency", record: idempotency }, ...reversals, ...penalty],
        counters: draws.flatMap((d) => d.counters),
        ...(penalties.changed ? { facts: [{ personId: command.personId, facts: { ...snapshot.facts, penalties: penalties.list } }] } : {}),
      });
      return { result, replayed: false };
    };
    return retryOnContention(
      () => refusalsChecked(attempt, () => store.readIdempotency(ref), fingerprintOf, command.idempotencyKey),
      this.#deps.retry,
    );
  }
}

/** Credentials are issued in the company's name: the root of its org tree. */
const issuerName = (tree: OrgTree) => tree.units().find((unit) => unit.parentId === undefined)?.name ?? "Laurel";

/** A settled promise's value, or its failure thrown again. */
function settledValue<T>(settled: PromiseSettledResult<T>): T {
  if (settled.status === "rejected") throw settled.reason;
  return settled.value;
}
