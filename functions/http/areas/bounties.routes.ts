/** Routes of the bounties area: open bounties (揭榜挂帅), their teams, deliveries and judgements, the board and the winners. */
import {
  BountyBoardQuery,
  BountyRequest,
  DeliveryRequest,
  ExpiryRequest,
  JudgementRequest,
  TakeRequest,
  WinnersQuery,
} from "../../../domain/bounties/index.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { BountyList, BountyView, BountyWinners } from "../answers/bounties.ts";
import { defineRoute } from "../route.ts";

const BountyParams = z.strictObject({ bountyId: Id });
const TeamParams = z.strictObject({ bountyId: Id, teamId: Id });

export const bountiesRoutes = {
  postBounty: defineRoute({
    method: "POST",
    path: "/bounties",
    area: "bounties",
    auth: "token",
    problems: ["deadline-past", "forbidden"],
    summary:
      "Post a bounty: title and description in Chinese and English, the capability it trains, a reward in coins and points, optionally fund money (reserved in the pool now), a deadline and how many teams may take it (admin, or a unit's lead).",
    body: BountyRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The bounty, open, with its first history step.", schema: BountyView },
  }),
  bounties: defineRoute({
    method: "GET",
    path: "/bounties",
    area: "bounties",
    auth: "token",
    summary: "The bounty board: open, mine (posted, led or authored), done (accepted or expired), or all (any signed-in user).",
    query: BountyBoardQuery,
    success: { status: 200, description: "The bounties, newest first.", schema: BountyList },
  }),
  bounty: defineRoute({
    method: "GET",
    path: "/bounties/{bountyId}",
    area: "bounties",
    auth: "token",
    summary: "A bounty, its teams and every step of its history (any signed-in user).",
    params: BountyParams,
    success: { status: 200, description: "The bounty and its history.", schema: BountyView },
  }),
  takeBounty: defineRoute({
    method: "POST",
    path: "/bounties/{bountyId}/teams",
    area: "bounties",
    auth: "token",
    problems: ["bounty-expired", "bounty-full", "person-inactive", "poster-in-team", "shares-do-not-add-up", "team-member-not-yours"],
    summary:
      "Take a bounty on (揭榜) with a task team of your own people and authorship shares adding up to 100 (a lead); refused once maxTeams teams took it.",
    params: BountyParams,
    body: TakeRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The bounty with the new team.", schema: BountyView },
  }),
  deliverBounty: defineRoute({
    method: "POST",
    path: "/bounties/{bountyId}/teams/{teamId}/deliveries",
    area: "bounties",
    auth: "token",
    summary: "Hand in a team's work before the deadline: a link and a note (the team's lead or a member).",
    params: TeamParams,
    body: DeliveryRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The bounty with the team's delivery.", schema: BountyView },
  }),
  judgeBounty: defineRoute({
    method: "POST",
    path: "/bounties/{bountyId}/teams/{teamId}/judgements",
    area: "bounties",
    auth: "token",
    problems: ["not-the-poster", "person-under-review", "self-judgement"],
    summary:
      "Accept or reject a team's delivery with a reason (the poster, never a team member). Acceptance pays the reward split by the shares in one transaction, and puts any fund money to the fund's approvers as a claim; while an open review item holds an author it is refused (409 person-under-review) and the delivery waits.",
    params: TeamParams,
    body: JudgementRequest,
    idempotencyKey: true,
    success: { status: 200, description: "The bounty after the judgement, with the reward's entry ids.", schema: BountyView },
  }),
  expireBounty: defineRoute({
    method: "POST",
    path: "/bounties/{bountyId}/expiry",
    area: "bounties",
    auth: "token",
    problems: ["bounty-not-due"],
    summary:
      "Close a bounty past its deadline with nothing accepted: its reserved fund money goes back to the pool (the poster, admin, finance).",
    params: BountyParams,
    body: ExpiryRequest,
    idempotencyKey: true,
    success: { status: 200, description: "The bounty, expired, with the void entry of its reservation.", schema: BountyView },
  }),
  bountyWinners: defineRoute({
    method: "GET",
    path: "/leaderboards/bounties",
    area: "bounties",
    auth: "token",
    summary:
      "Bounties won, ranked (1, 1, 3): per author or per the unit of the winning team's lead, all time or in a year, quarter or month.",
    query: WinnersQuery,
    success: { status: 200, description: "Ranked rows: id, bounties won, rank.", schema: BountyWinners },
  }),
} as const;
