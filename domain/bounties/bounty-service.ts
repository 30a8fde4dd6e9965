/**
 * The bounties' use cases: post, take on, deliver, judge, expire, and the board. Each write reads
 * the bounty (with its idempotency record) once, decides with bounty.ts, and commits the bounty
 * (under its version: two teams racing for the last place, one wins), its history step, the
 * idempotency record and any entries (the reward in the authors' chains, the fund's reservation
 * or its release) in one atomic append; losing a race re-reads.
 */
import type { Badge } from "../awards/index.ts";
import { appendWithBadges } from "../awards/index.ts";
import { assertActive, assertRole, type Caller, type OrgTree, type Person } from "../directory/index.ts";
import {
  type Claim,
  type ClaimPart,
  type Fund,
  type FundBook,
  type FundSnapshot,
  type FundStore,
  reserve,
  splitAmount,
  voidReservation,
} from "../fund/index.ts";
import { fingerprint } from "../kernel/canonical.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import { assetKey, type EntryId, type PersonId, personAccount, systemAccount } from "../kernel/model.ts";
import { type Period, periodKey } from "../kernel/periods.ts";
import type { Clock } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import { rankBoard } from "../leaderboards/index.ts";
import type { ChainAppend, HoldBook, IdempotencyRef, LedgerStore, Movement, OnceRecord, Outcome, PersonSnapshot } from "../ledger/index.ts";
import { emptyRuleState, type LedgerEntry, refuseHeld, replayOf } from "../ledger/index.ts";
import {
  assertMayJudge,
  assertOpen,
  type Bounty,
  type BountyAction,
  type BountyStep,
  checkTeam,
  inTeam,
  isPastDeadline,
  rewardReason,
  shownStatus,
  type Team,
  teamOf,
  withTeam,
} from "./bounty.ts";
import type { BountySnapshot, BountyStore } from "./ports.ts";
import type { BountyRequest, DeliveryRequest, ExpiryRequest, JudgementRequest, TakeRequest } from "./schemas.ts";

export interface BountyDeps {
  store: BountyStore;
  ledger: LedgerStore;
  funds: Pick<FundStore, "readFund">;
  orgTree: () => Promise<OrgTree>;
  person: (personId: PersonId) => Promise<Person | undefined>;
  badges: () => Promise<Badge[]>;
  clock: Clock;
  timeZone: string;
  newId: () => string;
  retry?: RetryPolicy;
  /** People an open review holds (the integrity hold policy, when a stage turns it on): a delivery paying them waits. */
  holds?: HoldBook | undefined;
}

/** Teams race for a bounty's places and deliveries: a few more attempts than one person's writes. */
const bountyRetryPolicy: RetryPolicy = { attempts: 12, baseDelayMs: 10, maxDelayMs: 500 };

export interface BountyView {
  bounty: Bounty;
  history?: BountyStep[];
}

interface Change {
  bounty: Bounty;
  action: BountyAction;
  teamId?: string;
  reason?: string;
  chains?: ChainAppend[];
  records?: OnceRecord[];
  claim?: Claim;
}

export class BountyService {
  readonly #deps: BountyDeps;

  constructor(deps: BountyDeps) {
    this.#deps = deps;
  }

  /** An admin, or a unit's lead, posts a problem with its reward. */
  post(caller: Caller, request: BountyRequest, idempotencyKey: string): Promise<Outcome<BountyView>> {
    const bountyId = this.#deps.newId();
    return this.#write(caller, bountyId, "bounty-posts", { request }, idempotencyKey, async (_found, now) => {
      const [tree, poster] = await Promise.all([this.#deps.orgTree(), this.#deps.person(caller.personId)]);
      const leadsAUnit = tree.units().some((unit) => unit.leadId === caller.personId);
      if (!caller.roles.includes("admin") && !(caller.roles.includes("manager") && leadsAUnit))
        throw new DomainError("forbidden", "forbidden", "An admin or the lead of an org unit posts bounties.");
      if (!poster) throw new DomainError("unprocessable", "poster-unknown", `You (${caller.personId}) are not in the directory.`);
      if (request.deadline <= now)
        throw new DomainError("unprocessable", "deadline-past", `The deadline ${request.deadline} has already passed.`, {
          deadline: request.deadline,
        });
      const bounty: Bounty = {
        bountyId,
        title: request.title,
        description: request.description,
        capability: request.capability as Bounty["capability"],
        reward: { coins: request.reward.coins, points: request.reward.points },
        deadline: new Date(request.deadline).toISOString(),
        maxTeams: request.maxTeams,
        poster: caller.personId,
        posterUnit: poster.orgUnitId,
        postedAt: now,
        status: "open",
        teams: [],
        rewardEntryIds: [],
        updatedAt: now,
        version: 0,
        steps: 0,
      };
      if (!request.fund) return { bounty, action: "posted" };
      const { fund, snapshot } = await this.#fund(request.fund.fundId);
      const claimId = `bty-${bountyId}`;
      const base = { actor: actorOf(caller), reason: `揭榜挂帅 ${bountyId}: ${request.title.zh}`.slice(0, 500), occurredAt: now };
      const change = reserve(fund, snapshot.state, { claimId, amount: request.fund.amount, parts: [] }, base, now);
      const funding = {
        fundId: fund.fundId,
        currency: fund.currency,
        amount: request.fund.amount,
        reservationEntryId: change.reservationEntryId,
        claimId,
      };
      return {
        bounty: { ...bounty, funding },
        action: "posted",
        chains: [fundAppend(snapshot, change.fund.after, change.fund.entries, change.fund.book)],
      };
    });
  }

  /** A lead takes the bounty on ("揭榜") with a task team of their own people and authorship shares. */
  take(caller: Caller, bountyId: string, request: TakeRequest, idempotencyKey: string): Promise<Outcome<BountyView>> {
    assertRole(caller, ["manager"]);
    return this.#write(caller, bountyId, "bounty-takes", { bountyId, request }, idempotencyKey, async (found, now) => {
      const bounty = exists(found, bountyId);
      assertOpen(bounty, now);
      const [tree, lead, people] = await Promise.all([
        this.#deps.orgTree(),
        this.#deps.person(caller.personId),
        Promise.all(request.members.map((m) => this.#deps.person(m.personId as PersonId))),
      ]);
      if (!lead) throw new DomainError("unprocessable", "lead-unknown", `You (${caller.personId}) are not in the directory.`);
      for (const person of [lead, ...people]) if (person) assertActive(person);
      const members = request.members.map((m, i) => ({
        personId: m.personId as PersonId,
        orgUnitId: people[i]?.orgUnitId,
        share: m.share,
      }));
      checkTeam(bounty, caller.personId, members, tree);
      // The reward must split without leaving an author at zero: refused now, not at acceptance.
      for (const amount of [bounty.reward.coins, bounty.reward.points, bounty.funding?.amount ?? 0])
        if (amount > 0) splitAmount(amount, { by: "share", parts: request.members });
      const team: Team = {
        teamId: `team-${bounty.teams.length + 1}`,
        lead: caller.personId,
        leadUnit: lead.orgUnitId,
        members: request.members.map((m, i) => ({ personId: m.personId as PersonId, name: people[i]?.name ?? m.personId, share: m.share })),
        status: "working",
        takenAt: now,
        decisions: [],
      };
      return { bounty: { ...bounty, teams: [...bounty.teams, team] }, action: "taken", teamId: team.teamId };
    });
  }

  /** A team (its lead or a member) hands in its work, before the deadline; again after a rejection. */
  deliver(
    caller: Caller,
    bountyId: string,
    teamId: string,
    request: DeliveryRequest,
    idempotencyKey: string,
  ): Promise<Outcome<BountyView>> {
    return this.#write(caller, bountyId, "bounty-deliveries", { bountyId, teamId, request }, idempotencyKey, async (found, now) => {
      const bounty = exists(found, bountyId);
      assertOpen(bounty, now);
      const team = teamOf(bounty, teamId);
      if (!inTeam(team, caller.personId))
        throw new DomainError("forbidden", "not-in-team", `Only the lead and members of ${teamId} deliver its work.`);
      if (team.status !== "working" && team.status !== "rejected")
        throw new DomainError(
          "conflict",
          "delivery-not-expected",
          `Team ${teamId} is ${team.status}; it delivers when working or after a rejection.`,
          {
            status: team.status,
          },
        );
      const delivered: Team = { ...team, status: "delivered", delivery: { ...request, at: now, by: caller.personId } };
      return { bounty: { ...bounty, teams: withTeam(bounty, delivered) }, action: "delivered", teamId };
    });
  }

  /** The poster accepts (paying the reward) or rejects (with a reason) a team's delivery. */
  judge(caller: Caller, bountyId: string, teamId: string, request: JudgementRequest, idempotencyKey: string): Promise<Outcome<BountyView>> {
    return this.#write(caller, bountyId, "bounty-judgements", { bountyId, teamId, request }, idempotencyKey, async (found, now) => {
      const bounty = exists(found, bountyId);
      const team = teamOf(bounty, teamId);
      assertMayJudge(bounty, team, caller.personId);
      if (bounty.status !== "open")
        throw new DomainError("conflict", "bounty-not-open", `Bounty ${bountyId} is ${bounty.status}.`, { bountyStatus: bounty.status });
      const decision = { decision: request.decision, reason: request.reason, at: now };
      if (request.decision === "reject") {
        const rejected: Team = { ...team, status: "rejected", decisions: [...team.decisions, decision] };
        return { bounty: { ...bounty, teams: withTeam(bounty, rejected) }, action: "rejected", teamId, reason: request.reason };
      }
      // The delivery stays waiting: the poster accepts it once the review is decided.
      await refuseHeld(
        this.#deps.holds,
        team.members.map((m) => m.personId),
        "Accepting this delivery",
      );
      const accepted: Team = { ...team, status: "accepted", decisions: [...team.decisions, decision] };
      const teams = bounty.teams.map((t) => (t.teamId === teamId ? accepted : { ...t, status: "closed" as const }));
      const done: Bounty = { ...bounty, status: "done", winner: teamId, teams, doneAt: now };
      const reward = await this.#reward(caller, done, accepted, now);
      const funded = done.funding ? await this.#fundClaim(caller, done, accepted, now) : undefined;
      return {
        bounty: { ...done, rewardEntryIds: reward.entryIds },
        action: "accepted",
        teamId,
        reason: request.reason,
        chains: [...reward.chains, ...(funded?.chains ?? [])],
        records: funded?.records ?? [],
        ...(funded ? { claim: funded.claim } : {}),
      };
    });
  }

  /** After the deadline, with nothing accepted: the bounty closes and its fund money goes back to the pool. */
  expire(caller: Caller, bountyId: string, request: ExpiryRequest, idempotencyKey: string): Promise<Outcome<BountyView>> {
    return this.#write(caller, bountyId, "bounty-expiries", { bountyId, request }, idempotencyKey, async (found, now) => {
      const bounty = exists(found, bountyId);
      if (caller.personId !== bounty.poster && !caller.roles.some((role) => role === "admin" || role === "finance"))
        throw new DomainError("forbidden", "forbidden", "The poster, an admin or finance closes an expired bounty.");
      if (bounty.status !== "open")
        throw new DomainError("conflict", "bounty-not-open", `Bounty ${bountyId} is ${bounty.status}.`, { bountyStatus: bounty.status });
      if (!isPastDeadline(bounty, now))
        throw new DomainError("conflict", "bounty-not-due", `Bounty ${bountyId} runs until ${bounty.deadline}.`, {
          deadline: bounty.deadline,
        });
      const teams = bounty.teams.map((t) => ({ ...t, status: "closed" as const }));
      const expired: Bounty = { ...bounty, status: "expired", teams };
      if (!bounty.funding) return { bounty: expired, action: "expired", reason: request.reason };
      const { fund, snapshot } = await this.#fund(bounty.funding.fundId);
      const base = { actor: actorOf(caller), reason: `揭榜挂帅 ${bountyId} expired: ${request.reason}`.slice(0, 500), occurredAt: now };
      const funding = bounty.funding;
      const change = voidReservation(fund, snapshot.state, { ...funding, claimId: funding.claimId, parts: [] }, base, now);
      const voidEntryId = (change.fund.entries[0] as LedgerEntry).entryId;
      const settlement: OnceRecord = {
        kind: "settlement",
        claimId: funding.claimId,
        outcome: "voided",
        entryIds: [voidEntryId],
        recordedAt: now,
      };
      return {
        bounty: { ...expired, funding: { ...funding, voidEntryId } },
        action: "expired",
        reason: request.reason,
        chains: [fundAppend(snapshot, change.fund.after, change.fund.entries, change.fund.book)],
        records: [settlement],
      };
    });
  }

  /**
   * The schedule's sweep: every open bounty past its deadline is expired on its poster's behalf,
   * releasing its fund money; one key per bounty, so a sweep that runs twice expires it once.
   */
  async expireDue(): Promise<string[]> {
    const now = this.#now();
    const due = (await this.#deps.store.listBounties()).filter(
      (b) => b.status === "open" && isPastDeadline(b, now) && !b.teams.some((t) => t.status === "delivered"),
    );
    for (const bounty of due)
      await this.expire(
        { personId: bounty.poster, roles: [] },
        bounty.bountyId,
        { reason: "截止未揭榜 / deadline passed" },
        `expiry-${bounty.bountyId}`,
      );
    return due.map((b) => b.bountyId);
  }

  /** The board: open bounties, mine (posted, led or authored), or done (accepted or expired). */
  async board(caller: Caller, view: "open" | "mine" | "done" | "all"): Promise<Bounty[]> {
    const now = this.#now();
    const shown = (await this.#deps.store.listBounties()).map((b) => ({ ...b, status: shownStatus(b, now) }));
    const mine = (b: Bounty) => b.poster === caller.personId || b.teams.some((t) => inTeam(t, caller.personId));
    if (view === "all") return shown;
    if (view === "mine") return shown.filter(mine);
    return shown.filter((b) => (view === "open" ? b.status === "open" : b.status !== "open"));
  }

  async bounty(_caller: Caller, bountyId: string): Promise<BountyView> {
    const [found, history] = await Promise.all([this.#deps.store.readBounty(bountyId), this.#deps.store.history(bountyId)]);
    const bounty = exists(found, bountyId);
    return { bounty: { ...bounty, status: shownStatus(bounty, this.#now()) }, history };
  }

  /** Bounties won, ranked (1, 1, 3): per author, or per the unit of the team's lead. */
  async winners(_caller: Caller, query: { by: "person" | "orgUnit"; period: string; limit: number }) {
    const bounties = await this.#deps.store.listBounties();
    const period: Period | undefined =
      query.period === "all" ? undefined : query.period.includes("Q") ? "quarter" : query.period.length === 4 ? "year" : "month";
    const wins = new Map<string, number>();
    const names = new Map<string, string>();
    for (const bounty of bounties) {
      const team = bounty.teams.find((t) => t.teamId === bounty.winner);
      if (!team || !bounty.doneAt) continue;
      if (period && periodKey(bounty.doneAt, period, this.#deps.timeZone) !== query.period) continue;
      for (const m of team.members) names.set(m.personId, m.name);
      const ids = query.by === "person" ? team.members.map((m) => m.personId as string) : [team.leadUnit as string];
      for (const id of ids) wins.set(id, (wins.get(id) ?? 0) + 1);
    }
    // Authors are credited by name on the bounties they won: the board names them too.
    const rows = rankBoard([...wins].map(([id, score]) => ({ id, score })))
      .slice(0, query.limit)
      .map((row) => (names.has(row.id) ? { ...row, name: names.get(row.id) } : row));
    return { by: query.by, period: query.period, metric: "bountiesWon", rows };
  }

  /** The reward, split by the authorship shares, as awards in each author's chain. */
  async #reward(caller: Caller, bounty: Bounty, team: Team, now: string) {
    const parts = team.members.map((m) => ({ personId: m.personId, share: m.share }));
    const split = (amount: number) =>
      amount > 0 ? new Map(splitAmount(amount, { by: "share", parts }).map((p) => [p.personId, p.amount])) : new Map<PersonId, number>();
    const coins = split(bounty.reward.coins);
    const points = split(bounty.reward.points);
    const [snapshots, badges] = await Promise.all([
      Promise.all(parts.map((p) => this.#deps.ledger.readPerson(p.personId))),
      this.#deps.badges(),
    ]);
    const base = {
      kind: "award" as const,
      from: systemAccount("issuer"),
      reason: rewardReason(bounty, team),
      actor: actorOf(caller),
      occurredAt: now,
      ref: { bountyId: bounty.bountyId, teamId: team.teamId, authors: parts.map((p) => p.personId) },
    };
    const chains: ChainAppend[] = [];
    const entryIds: EntryId[] = [];
    for (const [index, part] of parts.entries()) {
      const snapshot = snapshots[index] as PersonSnapshot;
      const to = personAccount(part.personId);
      const movements: Movement[] = [];
      const coin = coins.get(part.personId);
      const point = points.get(part.personId);
      if (coin) movements.push({ ...base, asset: "coin", amount: coin, to });
      if (point) movements.push({ ...base, asset: assetKey({ kind: "point", capability: bounty.capability }), amount: point, to });
      const { entries, state } = appendWithBadges(snapshot.chain, movements, snapshot.ruleState, badges, {
        actor: base.actor,
        occurredAt: now,
        recordedAt: now,
      });
      entryIds.push(...entries.map((e) => e.entryId));
      chains.push({ before: snapshot.chain, after: state, entries, ruleState: snapshot.ruleState, headVersion: snapshot.headVersion });
    }
    return { chains, entryIds };
  }

  /**
   * The fund money of an accepted bounty becomes a fund claim of the winning team's lead, split
   * by the shares and backed by the reservation made at posting: the fund's approvers decide on
   * it like any claim (POST /claims/{claimId}/decisions), and it counts against each author's
   * limit in the pool now, as a claim's parts do.
   */
  async #fundClaim(caller: Caller, bounty: Bounty, team: Team, now: string) {
    const funding = bounty.funding as NonNullable<Bounty["funding"]>;
    const { fund, snapshot } = await this.#fund(funding.fundId);
    const parts = splitAmount(funding.amount, { by: "share", parts: team.members.map((m) => ({ personId: m.personId, share: m.share })) });
    const claim: Claim = {
      claimId: funding.claimId,
      fundId: fund.fundId,
      claimant: team.lead,
      claimantUnit: team.leadUnit,
      scenario: `揭榜挂帅「${bounty.title.zh}」`.slice(0, 500),
      measuredValue: (team.delivery?.note ?? bounty.title.zh).slice(0, 500),
      evidence: team.delivery ? [team.delivery.link] : [],
      currency: fund.currency,
      amount: funding.amount,
      splitBy: "share",
      parts,
      requiredApprovals: funding.amount > fund.twoApprovalsAbove ? 2 : 1,
      decisions: [],
      status: "pending",
      reservationEntryId: funding.reservationEntryId,
      settlementEntryIds: [],
      clawedBack: 0,
      createdAt: now,
      updatedAt: now,
      version: 1,
      steps: 1,
    };
    const step: OnceRecord = {
      kind: "claim-step",
      claimId: claim.claimId,
      step: 1,
      body: {
        claimId: claim.claimId,
        step: 1,
        at: now,
        actor: caller.personId,
        action: "submitted",
        status: "pending",
        amount: claim.amount,
        entryIds: [funding.reservationEntryId],
      },
    };
    const book = committedTo(fund, snapshot.state.book, parts);
    return { claim, chains: [fundAppend(snapshot, snapshot.state.chain, [], book)], records: [step] };
  }

  async #fund(fundId: string): Promise<{ fund: Fund; snapshot: FundSnapshot }> {
    const snapshot = await this.#deps.funds.readFund(fundId);
    if (!snapshot.fund) throw new NotFoundError("fund", fundId);
    return { fund: snapshot.fund, snapshot };
  }

  #write(
    caller: Caller,
    bountyId: string,
    scope: string,
    request: unknown,
    idempotencyKey: string,
    decide: (found: BountySnapshot, now: string) => Promise<Change>,
  ): Promise<Outcome<BountyView>> {
    const ref: IdempotencyRef = { scope: `${scope}#${caller.personId}`, key: idempotencyKey };
    const expected = fingerprint(request);
    return retryOnContention(async () => {
      const found = await this.#deps.store.readBounty(bountyId, ref);
      const replay = replayOf<BountyView>(found.idempotency, expected, idempotencyKey);
      if (replay) return replay;
      const now = this.#now();
      const change = await decide(found, now);
      const bounty: Bounty = { ...change.bounty, updatedAt: now, version: change.bounty.version + 1, steps: change.bounty.steps + 1 };
      const step: BountyStep = {
        bountyId,
        step: bounty.steps,
        at: now,
        actor: caller.personId,
        action: change.action,
        status: bounty.status,
        ...(change.teamId ? { teamId: change.teamId } : {}),
        ...(change.reason ? { reason: change.reason } : {}),
        entryIds: (change.chains ?? []).flatMap((c) => c.entries.map((e) => e.entryId)),
      };
      const result: BountyView = { bounty, history: [step] };
      await this.#deps.ledger.append({
        chains: change.chains ?? [],
        records: [
          { kind: "idempotency", record: { ...ref, fingerprint: expected, result, recordedAt: now } },
          { kind: "bounty-step", bountyId, step: step.step, body: { ...step } },
          ...(change.records ?? []),
        ],
        documents: [
          { kind: "bounty", id: bountyId, owner: bounty.poster, version: bounty.version, body: { ...bounty } },
          ...(change.claim
            ? [{ kind: "claim" as const, id: change.claim.claimId, owner: change.claim.claimant, version: 1, body: { ...change.claim } }]
            : []),
        ],
      });
      return { result, replayed: false };
    }, this.#deps.retry ?? bountyRetryPolicy);
  }

  #now(): string {
    return this.#deps.clock.now().toISOString();
  }
}

const actorOf = (caller: Caller) => ({ kind: "person" as const, personId: caller.personId });

function exists(found: BountySnapshot, bountyId: string): Bounty {
  if (!found.bounty) throw new NotFoundError("bounty", bountyId);
  return found.bounty;
}

/** The pool's chain head, with its book, written with the bounty's change. */
function fundAppend(snapshot: FundSnapshot, after: ChainAppend["after"], entries: LedgerEntry[], book: FundBook): ChainAppend {
  return {
    before: snapshot.state.chain,
    after,
    entries,
    ruleState: emptyRuleState(),
    headVersion: snapshot.headVersion,
    attributes: { fundId: (snapshot.fund as Fund).fundId, book },
  };
}

/** The authors' parts counted against the pool's per-person limit, as a claim's reservation counts them. */
function committedTo(fund: Fund, book: FundBook, parts: readonly ClaimPart[]): FundBook {
  const committed = { ...book.committed };
  for (const part of parts) {
    const before = committed[part.personId] ?? 0;
    if (before + part.amount > fund.limits.perPersonInPeriod)
      throw new DomainError(
        "conflict",
        "person-limit-exceeded",
        `${part.personId} may receive at most ${fund.limits.perPersonInPeriod} from ${fund.fundId} in ${fund.period}; ${before} is already reserved or paid.`,
        { personId: part.personId, limit: fund.limits.perPersonInPeriod, committed: before, requested: part.amount },
      );
    committed[part.personId] = before + part.amount;
  }
  return { ...book, committed };
}
