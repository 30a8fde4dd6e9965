/**
 * Coin redemption: a catalog of rewards (versioned definitions of kind "reward") and
 * redemptions that move coins from a person to `system:redemptions` and count the stock down in
 * the same transaction, through conditional counters: never below zero coins, never more
 * issued than the stock, never over a person's limit in a period, however many redeem at once.
 * An admin cancels a redemption with a reversal: coins back, stock back, once. Finance or an
 * admin records the reward's hand-over (collected), once; that moves no value, so it is a status
 * beside the entry, not an entry (docs/FUND.md).
 */

import { balancesView } from "../accounts/index.ts";
import { assertActive, assertRole, type Caller } from "../directory/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import {
  DefinitionChanges,
  type DefinitionStore,
  type DefinitionView,
  definitionView,
  type FourEyesPolicy,
  type ProposalView,
} from "../kernel/definitions.ts";
import { assertNotSelf } from "../kernel/duties.ts";
import { DomainError, ForbiddenError, NotFoundError } from "../kernel/errors.ts";
import { type EntryId, type PersonId, personAccount, systemAccount } from "../kernel/model.ts";
import { periodKey } from "../kernel/periods.ts";
import type { Clock } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import type { PeopleDryRunRequest } from "../kernel/schemas.ts";
import type { Collection, CounterUpdate, LedgerStore, Outcome } from "../ledger/index.ts";
import {
  appendMovements,
  holderOfEntryId,
  type IdempotencyRef,
  type LedgerEntry,
  type Movement,
  readNamedPeople,
  refusalsChecked,
  replayOf,
} from "../ledger/index.ts";
import type { CounterReader, RedemptionLists } from "./ports.ts";
import { type RedemptionListing, redemptionListing } from "./redemptions.ts";
import type { CancellationRequest, RedemptionListQuery, RedemptionRequest, RewardDefinition } from "./schemas.ts";

export interface RedemptionDeps {
  ledger: LedgerStore;
  definitions: DefinitionStore;
  counters: CounterReader;
  lists: RedemptionLists;
  clock: Clock;
  timeZone: string;
  retry?: RetryPolicy;
  fourEyes?: () => FourEyesPolicy;
}

/** Counters: units of a reward issued (net of cancellations), and a person's units in a period. */
export const stockCounter = (rewardId: string) => `reward-issued#${rewardId}`;
export const personCounter = (rewardId: string, personId: string, period: string) => `reward-person#${rewardId}#${personId}#${period}`;

/** A reward as a definition, with what its stock has issued and what is left to redeem ("unlimited" without a stock). */
export type RewardView = DefinitionView<RewardDefinition> & { issued: number; remaining: number | "unlimited" };

export interface RedemptionResult {
  entries: LedgerEntry[];
  redemption: { entryId: EntryId; rewardId: string; quantity: number; coins: number; periodKey: string };
  balances: ReturnType<typeof balancesView>;
}

/** A redemption as its redeemer's list shows it: how to collect it is the reward's current word on that. */
export type RedemptionItem = RedemptionListing & { collect?: RewardDefinition["collect"] };

/** Who may read a person's redemptions besides the person: those who hand rewards over or cancel them. */
const redemptionDesk = ["finance", "admin"] as const;

export interface CollectionResult {
  redemption: { entryId: EntryId; personId: PersonId; rewardId: string; quantity: number } & Collection;
}

const remainingOf = (reward: RewardDefinition, issued: number): number | "unlimited" =>
  reward.stock === "unlimited" ? "unlimited" : reward.stock - issued;

/**
 * What a person could do with a reward now: how many units their coins, the stock left and their
 * limit in the period allow (0 when it is not offered), and the coins they lack for one.
 */
export function affordability(
  reward: RewardDefinition,
  now: { coins: number; remaining: number | "unlimited"; redeemedInPeriod: number },
): { canAfford: boolean; couldRedeem: number; coinsShort: number } {
  const limits = [
    Math.floor(now.coins / reward.price),
    now.remaining === "unlimited" ? Number.POSITIVE_INFINITY : Math.max(0, now.remaining),
    reward.perPersonLimit ? Math.max(0, reward.perPersonLimit.count - now.redeemedInPeriod) : Number.POSITIVE_INFINITY,
  ];
  return {
    canAfford: now.coins >= reward.price,
    couldRedeem: reward.active === false ? 0 : Math.min(...limits),
    coinsShort: Math.max(0, reward.price - now.coins),
  };
}

export class RedemptionService {
  readonly #deps: RedemptionDeps;
  readonly #changes: DefinitionChanges;

  constructor(deps: RedemptionDeps) {
    this.#deps = deps;
    this.#changes = new DefinitionChanges(deps);
  }

  /** A new version of the reward, or under four eyes a proposal waiting for a second admin. */
  async putReward(
    caller: Caller,
    rewardId: string,
    reward: RewardDefinition,
    ifMatch?: number,
  ): Promise<{ status: "current"; view: RewardView } | { status: "pending"; view: ProposalView<RewardDefinition> }> {
    assertRole(caller, ["admin"]);
    const changed = await this.#changes.change(caller.personId, "reward", rewardId, reward, { ifMatch });
    return changed.status === "pending" ? changed : { status: "current", view: await this.#viewOf(changed.view) };
  }

  /** A second admin approves the reward change waiting for approval; its author cannot. */
  async approveReward(caller: Caller, rewardId: string, proposal: number): Promise<RewardView> {
    assertRole(caller, ["admin"]);
    return this.#viewOf(await this.#changes.approve<RewardDefinition>(caller.personId, "reward", rewardId, proposal));
  }

  /** A reward as admins and finance manage it: the current version, and the change waiting for approval if any. */
  async reward(caller: Caller, rewardId: string) {
    assertRole(caller, ["admin", "finance"]);
    return this.#changes.withPending<RewardDefinition, RewardView>("reward", rewardId, (current) => this.#viewOf(definitionView(current)));
  }

  async #viewOf(version: DefinitionView<RewardDefinition>): Promise<RewardView> {
    return (await this.#viewsOf([version]))[0] as RewardView;
  }

  /** The rewards with their stock, read in one round trip. */
  async #viewsOf(versions: readonly DefinitionView<RewardDefinition>[]): Promise<RewardView[]> {
    const counters = await this.#deps.counters.readCounters(versions.map((v) => stockCounter(v.id)));
    return versions.map((version) => {
      const issued = counters.get(stockCounter(version.id)) ?? 0;
      return { ...version, issued, remaining: remainingOf(version.definition, issued) };
    });
  }

  /**
   * A reward's price, stock and limit (the current version, or with `pending` the change waiting
   * for approval) against the chosen people's coins now: who could afford it, and how many each
   * could redeem. Writes nothing.
   */
  async dryRunReward(caller: Caller, rewardId: string, request: PeopleDryRunRequest) {
    assertRole(caller, ["admin"]);
    const pending = request.pending === true;
    const [version, named] = await Promise.all([
      pending
        ? this.#changes.pendingVersion<RewardDefinition>("reward", rewardId)
        : this.#deps.definitions.get<RewardDefinition>("reward", rewardId),
      readNamedPeople((ids) => this.#deps.ledger.readPeople(ids), request.personIds),
    ]);
    if (!version) throw new NotFoundError("reward", rewardId);
    const reward = version.body;
    const limit = reward.perPersonLimit;
    const period = limit ? periodKey(this.#deps.clock.now().toISOString(), limit.period, this.#deps.timeZone) : "-";
    const mine = (personId: PersonId) => personCounter(rewardId, personId, period);
    const counters = await this.#deps.counters.readCounters([
      stockCounter(rewardId),
      ...(limit ? named.found.map((p) => mine(p.personId)) : []),
    ]);
    const issued = counters.get(stockCounter(rewardId)) ?? 0;
    const remaining = remainingOf(reward, issued);
    const people = named.found.map(({ personId, person, chain }) => {
      const coins = chain.balances.coin ?? 0;
      const redeemedInPeriod = counters.get(mine(personId)) ?? 0;
      return { personId, name: person.name, coins, redeemedInPeriod, ...affordability(reward, { coins, remaining, redeemedInPeriod }) };
    });
    return {
      reward: { rewardId, version: version.version, pending },
      price: reward.price,
      offered: reward.active !== false,
      stock: { issued, remaining },
      periodKey: period,
      canAfford: people.filter((p) => p.canAfford).length,
      people,
      unknown: named.unknown,
    };
  }

  async rewards(): Promise<RewardView[]> {
    const rewards = await this.#deps.definitions.list<RewardDefinition>("reward");
    return (await this.#viewsOf(rewards.map(definitionView))).sort((a, b) => a.id.localeCompare(b.id));
  }

  redeem(caller: Caller, request: RedemptionRequest, idempotencyKey: string): Promise<Outcome<RedemptionResult>> {
    assertRole(caller, ["manager"]);
    const personId = caller.personId;
    const ref = { scope: `redemptions#${personId}`, key: idempotencyKey };
    const expected = fingerprint({ request });
    return this.#retry(ref, expected, async () => {
      const [stored, snapshot] = await Promise.all([
        this.#deps.definitions.get<RewardDefinition>("reward", request.rewardId),
        this.#deps.ledger.readPerson(personId, ref),
      ]);
      const replay = replayOf<RedemptionResult>(snapshot.idempotency, expected, idempotencyKey);
      if (replay) return replay;
      if (!stored) throw new NotFoundError("reward", request.rewardId);
      const reward = stored.body;
      if (reward.active === false) {
        throw new DomainError("unprocessable", "reward-inactive", `The reward ${request.rewardId} is not offered at the moment.`, {
          rewardId: request.rewardId,
        });
      }
      if (!snapshot.person) throw new NotFoundError("person", personId);
      assertActive(snapshot.person);
      const now = this.#deps.clock.now().toISOString();
      const period = reward.perPersonLimit ? periodKey(now, reward.perPersonLimit.period, this.#deps.timeZone) : "-";
      const names = [stockCounter(request.rewardId), personCounter(request.rewardId, personId, period)];
      const counters = await this.#deps.counters.readCounters(names);
      const issued = counters.get(names[0] as string) ?? 0;
      const mine = counters.get(names[1] as string) ?? 0;
      const quantity = request.quantity;
      if (reward.stock !== "unlimited" && issued + quantity > reward.stock) {
        const remaining = Math.max(0, reward.stock - issued);
        throw new DomainError(
          "conflict",
          "out-of-stock",
          `Only ${remaining} of ${request.rewardId} ${remaining === 1 ? "is" : "are"} left; ${quantity} requested.`,
          { rewardId: request.rewardId, stock: reward.stock, issued, remaining, requested: quantity },
        );
      }
      if (reward.perPersonLimit && mine + quantity > reward.perPersonLimit.count) {
        throw new DomainError(
          "conflict",
          "redemption-limit-reached",
          `You may redeem ${request.rewardId} at most ${reward.perPersonLimit.count} times per ${reward.perPersonLimit.period}; you have ${mine} in ${period}, so ${quantity} more is too many.`,
          {
            rewardId: request.rewardId,
            limit: reward.perPersonLimit.count,
            period: reward.perPersonLimit.period,
            periodKey: period,
            redeemed: mine,
            requested: quantity,
          },
        );
      }
      const coins = reward.price * quantity;
      const movement: Movement = {
        kind: "redemption",
        asset: "coin",
        amount: coins,
        from: personAccount(personId),
        to: systemAccount("redemptions"),
        reason: `兑换 ${reward.name.zh} × ${quantity}`,
        cause: { code: "redemption", params: { rewardId: request.rewardId, reward: reward.name, quantity } },
        actor: { kind: "person", personId },
        occurredAt: now,
        ref: { rewardId: request.rewardId, rewardVersion: stored.version, quantity, periodKey: period },
      };
      const { entries, state } = appendMovements(snapshot.chain, [movement], now);
      const entry = entries[0] as LedgerEntry;
      const result: RedemptionResult = {
        entries,
        redemption: { entryId: entry.entryId, rewardId: request.rewardId, quantity, coins, periodKey: period },
        balances: balancesView(snapshot.person, state.balances, state.seq),
      };
      const updates: CounterUpdate[] = [
        { counter: names[0] as string, delta: quantity, ...(reward.stock === "unlimited" ? {} : { max: reward.stock }) },
        ...(reward.perPersonLimit ? [{ counter: names[1] as string, delta: quantity, max: reward.perPersonLimit.count }] : []),
      ];
      await this.#deps.ledger.append({
        chains: [{ before: snapshot.chain, after: state, entries, ruleState: snapshot.ruleState, headVersion: snapshot.headVersion }],
        records: [{ kind: "idempotency", record: { ...ref, fingerprint: expected, result, recordedAt: now } }],
        counters: updates,
        redemptions: [listingWrite(redemptionListing(entry))],
      });
      return { result, replayed: false };
    });
  }

  /** A person's redemptions, newest first, with how to collect each (self, finance, admin). */
  async redemptions(
    caller: Caller,
    personId: PersonId,
    query: RedemptionListQuery,
  ): Promise<{ redemptions: RedemptionItem[]; cursor: string | null }> {
    if (caller.personId !== personId && !caller.roles.some((role) => (redemptionDesk as readonly string[]).includes(role))) {
      throw new ForbiddenError(`You may read your own redemptions; ${personId}'s are for finance and admins to hand over.`);
    }
    const [page, rewards] = await Promise.all([
      this.#deps.lists.redemptionsOf(personId, query.status, query.limit, query.cursor),
      this.#deps.definitions.list<RewardDefinition>("reward"),
    ]);
    const collect = new Map(rewards.flatMap((r) => (r.body.collect ? [[r.id, r.body.collect] as const] : [])));
    return {
      redemptions: page.items.map((listing) => {
        const how = collect.get(listing.rewardId);
        return how ? { ...listing, collect: how } : listing;
      }),
      cursor: page.cursor ?? null,
    };
  }

  /**
   * The reward was handed over to its redeemer (finance or an admin, never for themselves). Only
   * a redemption still standing can be collected, once; the coins and the stock stay as they are.
   */
  collect(caller: Caller, entryId: string, idempotencyKey: string): Promise<Outcome<CollectionResult>> {
    assertRole(caller, ["finance", "admin"]);
    const personId = redeemerOf(entryId);
    assertNotSelf("collection", caller.personId, [personId], { entryId });
    const ref = { scope: "redemption-collections", key: idempotencyKey };
    const expected = fingerprint({ entryId });
    return this.#retry(ref, expected, async () => {
      const [snapshot, found] = await Promise.all([
        this.#deps.ledger.readPerson(personId, ref),
        this.#deps.ledger.readEntries([entryId as EntryId]),
      ]);
      const replay = replayOf<CollectionResult>(snapshot.idempotency, expected, idempotencyKey);
      if (replay) return replay;
      const original = found.get(entryId as EntryId);
      const redeemed = original?.entry;
      const ref0 = redeemed?.ref;
      if (redeemed?.kind !== "redemption" || !ref0 || !("rewardId" in ref0)) throw new NotFoundError("redemption", entryId);
      if (original?.reversedBy) {
        throw new DomainError(
          "conflict",
          "already-cancelled",
          `Redemption ${entryId} was cancelled by ${original.reversedBy}: nothing to hand over.`,
          {
            entryId,
            reversedBy: original.reversedBy,
          },
        );
      }
      if (original?.collected) {
        throw new DomainError(
          "conflict",
          "already-collected",
          `Redemption ${entryId} was handed over on ${original.collected.collectedAt}.`,
          {
            entryId,
            ...original.collected,
          },
        );
      }
      const collection: Collection = { collectedAt: this.#deps.clock.now().toISOString(), collectedBy: caller.personId };
      const result: CollectionResult = {
        redemption: { entryId: redeemed.entryId, personId, rewardId: ref0.rewardId, quantity: ref0.quantity, ...collection },
      };
      await this.#deps.ledger.append({
        chains: [],
        records: [
          { kind: "idempotency", record: { ...ref, fingerprint: expected, result, recordedAt: collection.collectedAt } },
          { kind: "collection", entryId: redeemed.entryId, ...collection },
        ],
        // A cancellation landing meanwhile wins; this one is then read again and refused.
        absent: [{ kind: "reversal", entryId: redeemed.entryId }],
        redemptions: [listingWrite(redemptionListing(redeemed, { collected: collection }), "placed")],
      });
      return { result, replayed: false };
    });
  }

  cancel(caller: Caller, entryId: string, request: CancellationRequest, idempotencyKey: string): Promise<Outcome<RedemptionResult>> {
    assertRole(caller, ["admin"]);
    const personId = redeemerOf(entryId);
    assertNotSelf("cancellation", caller.personId, [personId], { entryId });
    const ref = { scope: "redemption-cancellations", key: idempotencyKey };
    const expected = fingerprint({ entryId, request });
    return this.#retry(ref, expected, async () => {
      const [snapshot, found] = await Promise.all([
        this.#deps.ledger.readPerson(personId, ref),
        this.#deps.ledger.readEntries([entryId as EntryId]),
      ]);
      const replay = replayOf<RedemptionResult>(snapshot.idempotency, expected, idempotencyKey);
      if (replay) return replay;
      const original = found.get(entryId as EntryId);
      const redeemed = original?.entry;
      const ref0 = redeemed?.ref;
      if (redeemed?.kind !== "redemption" || !ref0 || !("rewardId" in ref0) || !snapshot.person) {
        throw new NotFoundError("redemption", entryId);
      }
      if (original?.reversedBy) {
        throw new DomainError("conflict", "already-cancelled", `Redemption ${entryId} was already cancelled by ${original.reversedBy}.`, {
          entryId,
          reversedBy: original.reversedBy,
        });
      }
      if (original?.collected) {
        throw new DomainError(
          "conflict",
          "already-collected",
          `Redemption ${entryId} was handed over on ${original.collected.collectedAt}: a reward handed over is not refunded.`,
          { entryId, ...original.collected },
        );
      }
      const now = this.#deps.clock.now().toISOString();
      const movement: Movement = {
        kind: "reversal",
        asset: redeemed.asset,
        amount: redeemed.amount,
        from: redeemed.to,
        to: redeemed.from,
        reason: request.reason,
        ...(redeemed.cause?.code === "redemption" ? { cause: { code: "redemption-cancelled", params: redeemed.cause.params } } : {}),
        actor: { kind: "person", personId: caller.personId },
        occurredAt: now,
        reverses: redeemed.entryId,
        ref: ref0,
      };
      const { entries, state } = appendMovements(snapshot.chain, [movement], now);
      const entry = entries[0] as LedgerEntry;
      const result: RedemptionResult = {
        entries,
        redemption: {
          entryId: redeemed.entryId,
          rewardId: ref0.rewardId,
          quantity: ref0.quantity,
          coins: entry.amount,
          periodKey: ref0.periodKey,
        },
        balances: balancesView(snapshot.person, state.balances, state.seq),
      };
      const counters: CounterUpdate[] = [
        { counter: stockCounter(ref0.rewardId), delta: -ref0.quantity, min: 0 },
        ...(ref0.periodKey === "-"
          ? []
          : [{ counter: personCounter(ref0.rewardId, personId, ref0.periodKey), delta: -ref0.quantity, min: 0 }]),
      ];
      await this.#deps.ledger.append({
        chains: [{ before: snapshot.chain, after: state, entries, ruleState: snapshot.ruleState, headVersion: snapshot.headVersion }],
        records: [
          { kind: "idempotency", record: { ...ref, fingerprint: expected, result, recordedAt: now } },
          { kind: "reversal", entryId: redeemed.entryId, reversedBy: entry.entryId, recordedAt: now },
        ],
        absent: [{ kind: "collection", entryId: redeemed.entryId }],
        counters,
        redemptions: [listingWrite(redemptionListing(redeemed, { cancellation: entry }), "placed")],
      });
      return { result, replayed: false };
    });
  }

  /** An idempotent write's tries, until one is not refused by contention; its refusals checked against the key's record. */
  #retry<T>(ref: IdempotencyRef, expected: string, attempt: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    const record = () => this.#deps.ledger.readIdempotency(ref);
    return retryOnContention(() => refusalsChecked(attempt, record, expected, ref.key), this.#deps.retry);
  }
}

const listingWrite = (listing: RedemptionListing, from?: "placed") => ({
  personId: listing.personId,
  seq: listing.seq,
  body: { ...listing },
  ...(from ? { from } : {}),
});

/** The person whose chain holds the entry: an entry of a fund's chain, or no entry id at all, is no redemption. */
function redeemerOf(entryId: string): PersonId {
  const holder = holderOfEntryId(entryId);
  if (!holder?.startsWith("person:")) throw new NotFoundError("redemption", entryId);
  return holder.slice("person:".length) as PersonId;
}
