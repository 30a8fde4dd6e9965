/**
 * Open bounties (揭榜挂帅, docs/GLOSSARY.md): a centre posts a problem with a reward; leads take it
 * on ("揭榜") with a task team of their own people and authorship shares; teams deliver; the poster,
 * who is in no team, accepts one delivery, which pays the reward split by the shares, each entry
 * naming the bounty and its authors. Pure: the service (bounty-service.ts) reads, these functions
 * decide, the store writes it all in one transaction.
 *
 *   open ──take (until maxTeams)──▶ open ──accept a delivery──▶ done
 *     └──────────── deadline passed, nothing accepted: expire ──▶ expired (fund money released)
 *   a team: working ──deliver──▶ delivered ──accept──▶ accepted
 *                                    └──reject──▶ rejected ──deliver again──▶ delivered
 *   when one team is accepted, the others are closed.
 */
import type { OrgTree } from "../directory/index.ts";
import { assertNotSelf } from "../kernel/duties.ts";
import { DomainError } from "../kernel/errors.ts";
import type { Capability, EntryId, OrgUnitId, PersonId } from "../kernel/model.ts";

export const bountyStatuses = ["open", "done", "expired"] as const;
export type BountyStatus = (typeof bountyStatuses)[number];

export const teamStatuses = ["working", "delivered", "accepted", "rejected", "closed"] as const;
export type TeamStatus = (typeof teamStatuses)[number];

/** Authorship shares are percentages: a team's add up to exactly 100. */
export const wholeShare = 100;
/** A team's payout is one transaction: each member's entries and chain head must fit in it. */
export const maxTeamMembers = 10;

export interface Author {
  personId: PersonId;
  name: string;
  share: number;
}

export interface Delivery {
  link: string;
  note: string;
  at: string;
  by: PersonId;
}

export interface Team {
  teamId: string;
  lead: PersonId;
  leadUnit: OrgUnitId;
  members: Author[];
  status: TeamStatus;
  takenAt: string;
  delivery?: Delivery;
  /** The poster's answers to this team's deliveries, oldest first. */
  decisions: { decision: "accept" | "reject"; reason: string; at: string }[];
}

export interface BountyFunding {
  fundId: string;
  currency: string;
  amount: number;
  /** The pool's reservation made when the bounty was posted. */
  reservationEntryId: EntryId;
  /** The fund claim created on acceptance, decided by the fund's approvers; or the void on expiry. */
  claimId: string;
  voidEntryId?: EntryId;
}

export interface Bounty {
  bountyId: string;
  title: { zh: string; en: string };
  description: { zh: string; en: string };
  capability: Capability;
  reward: { coins: number; points: number };
  funding?: BountyFunding;
  deadline: string;
  maxTeams: number;
  poster: PersonId;
  posterUnit: OrgUnitId;
  postedAt: string;
  status: BountyStatus;
  teams: Team[];
  winner?: string;
  /** When a delivery was accepted: the period a bounty won counts in. */
  doneAt?: string;
  /** The reward's entries (coins and points), in the authors' chains. */
  rewardEntryIds: EntryId[];
  updatedAt: string;
  version: number;
  steps: number;
}

export type BountyAction = "posted" | "taken" | "delivered" | "accepted" | "rejected" | "expired";

export interface BountyStep {
  bountyId: string;
  step: number;
  at: string;
  actor: PersonId;
  action: BountyAction;
  status: BountyStatus;
  teamId?: string;
  reason?: string;
  entryIds?: EntryId[];
}

const conflict = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError("conflict", code, message, details);

/** Past its deadline, a bounty takes no team and no delivery; only an accepted one stays done. */
export const isPastDeadline = (bounty: Pick<Bounty, "deadline">, now: string) => now > bounty.deadline;

/** What the board shows: an open bounty past its deadline is expired, whether or not it was closed yet. */
export const shownStatus = (bounty: Bounty, now: string): BountyStatus =>
  bounty.status === "open" && isPastDeadline(bounty, now) ? "expired" : bounty.status;

export function assertOpen(bounty: Bounty, now: string): void {
  if (bounty.status !== "open") {
    throw conflict("bounty-not-open", `Bounty ${bounty.bountyId} is ${bounty.status}.`, {
      bountyId: bounty.bountyId,
      bountyStatus: bounty.status,
    });
  }
  if (isPastDeadline(bounty, now)) {
    throw conflict("bounty-expired", `Bounty ${bounty.bountyId} closed at ${bounty.deadline}.`, {
      bountyId: bounty.bountyId,
      deadline: bounty.deadline,
    });
  }
}

/**
 * A task team as its lead names it: the lead's own people (the lead, or anyone in a unit they
 * lead), each once, never the poster (who judges the deliveries), shares adding up to 100, and
 * no one already in another team on this bounty.
 */
export function checkTeam(
  bounty: Bounty,
  lead: PersonId,
  members: readonly { personId: PersonId; orgUnitId: OrgUnitId | undefined; share: number }[],
  tree: OrgTree,
): void {
  const sum = members.reduce((total, m) => total + m.share, 0);
  if (sum !== wholeShare) {
    throw new DomainError("unprocessable", "shares-do-not-add-up", `Authorship shares add up to ${sum}, not ${wholeShare}.`, {
      sum,
      expected: wholeShare,
    });
  }
  const seen = new Set<PersonId>();
  const taken = new Set(bounty.teams.flatMap((t) => t.members.map((m) => m.personId)));
  for (const member of members) {
    if (seen.has(member.personId))
      throw new DomainError("unprocessable", "team-member-duplicate", `${member.personId} is named twice in the team.`, {
        personId: member.personId,
      });
    seen.add(member.personId);
    if (!member.orgUnitId)
      throw new DomainError("unprocessable", "team-member-unknown", `No person with id "${member.personId}".`, {
        personId: member.personId,
      });
    if (member.personId !== lead && !tree.leads(lead, member.orgUnitId))
      throw new DomainError(
        "unprocessable",
        "team-member-not-yours",
        `${member.personId} is not in a unit you lead; a task team is formed from your own people.`,
        { personId: member.personId },
      );
    if (member.personId === bounty.poster)
      throw new DomainError(
        "unprocessable",
        "poster-in-team",
        `${member.personId} posted this bounty and judges its deliveries, so cannot be in a team.`,
        { personId: member.personId },
      );
    if (taken.has(member.personId))
      throw conflict("already-in-a-team", `${member.personId} is already in a team on bounty ${bounty.bountyId}.`, {
        personId: member.personId,
      });
  }
  if (bounty.teams.some((t) => t.lead === lead))
    throw conflict("already-taken", `You already lead a team on bounty ${bounty.bountyId}.`, { bountyId: bounty.bountyId });
  if (bounty.teams.length >= bounty.maxTeams)
    throw conflict(
      "bounty-full",
      `Bounty ${bounty.bountyId} may be taken by ${bounty.maxTeams} team(s), and ${bounty.teams.length} already took it.`,
      { bountyId: bounty.bountyId, maxTeams: bounty.maxTeams },
    );
}

export function teamOf(bounty: Bounty, teamId: string): Team {
  const team = bounty.teams.find((t) => t.teamId === teamId);
  if (!team) throw new DomainError("not-found", "team-not-found", `Bounty ${bounty.bountyId} has no team ${teamId}.`, { teamId });
  return team;
}

/** Everyone on the team's side: its lead and its members. */
export const inTeam = (team: Team, personId: PersonId) => team.lead === personId || team.members.some((m) => m.personId === personId);

/** Only the poster judges, and never someone the judgement would pay (the one rule of docs/SECURITY.md). */
export function assertMayJudge(bounty: Bounty, team: Team, judge: PersonId): void {
  assertNotSelf("judgement", judge, [team.lead, ...team.members.map((m) => m.personId)], {
    bountyId: bounty.bountyId,
    teamId: team.teamId,
  });
  if (judge !== bounty.poster)
    throw new DomainError(
      "forbidden",
      "not-the-poster",
      `Only ${bounty.poster}, who posted bounty ${bounty.bountyId}, judges its deliveries.`,
    );
  if (team.status !== "delivered")
    throw conflict("no-delivery-pending", `Team ${team.teamId} has no delivery waiting for a decision (it is ${team.status}).`, {
      teamId: team.teamId,
      status: team.status,
    });
}

export const withTeam = (bounty: Bounty, team: Team): Team[] => bounty.teams.map((t) => (t.teamId === team.teamId ? team : t));

/** The reason every reward entry carries: the bounty and its authors, by name. */
export const rewardReason = (bounty: Bounty, team: Team): string =>
  `揭榜挂帅「${bounty.title.zh}」/ Bounty "${bounty.title.en}": ${team.members.map((m) => `${m.name} ${m.share}%`).join("、")}`.slice(
    0,
    500,
  );
