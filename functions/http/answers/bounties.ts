/** Answers of open bounties (the bounties function). */
import * as z from "zod";
import { Capability, Count, Instant, Localized, Signed } from "../answers.ts";

const Author = z.strictObject({ personId: z.string(), name: z.string(), share: Count });
const BountyTeam = z.strictObject({
  teamId: z.string(),
  lead: z.string(),
  leadUnit: z.string(),
  members: z.array(Author),
  status: z.enum(["working", "delivered", "accepted", "rejected", "closed"]),
  takenAt: Instant,
  delivery: z.strictObject({ link: z.string(), note: z.string(), at: Instant, by: z.string() }).optional(),
  decisions: z.array(z.strictObject({ decision: z.enum(["accept", "reject"]), reason: z.string(), at: Instant })),
});
const BountyStatus = z.enum(["open", "done", "expired"]);
export const Bounty = z
  .strictObject({
    bountyId: z.string(),
    title: Localized,
    description: Localized,
    capability: Capability,
    reward: z.strictObject({ coins: Count, points: Count }),
    funding: z
      .strictObject({
        fundId: z.string(),
        currency: z.string(),
        amount: Count,
        reservationEntryId: z.string(),
        claimId: z.string(),
        voidEntryId: z.string().optional(),
      })
      .optional(),
    deadline: Instant,
    maxTeams: Count,
    poster: z.string(),
    posterUnit: z.string(),
    postedAt: Instant,
    status: BountyStatus,
    teams: z.array(BountyTeam),
    winner: z.string().optional(),
    doneAt: Instant.optional(),
    rewardEntryIds: z.array(z.string()),
    updatedAt: Instant,
    version: Count,
    steps: Count,
  })
  .meta({ id: "Bounty" });
const BountyStep = z.strictObject({
  bountyId: z.string(),
  step: Count,
  at: Instant,
  actor: z.string(),
  action: z.enum(["posted", "taken", "delivered", "accepted", "rejected", "expired"]),
  status: BountyStatus,
  teamId: z.string().optional(),
  reason: z.string().optional(),
  entryIds: z.array(z.string()).optional(),
});
export const BountyView = z.strictObject({ bounty: Bounty, history: z.array(BountyStep).optional() }).meta({ id: "BountyView" });
export const BountyList = z.strictObject({ bounties: z.array(Bounty) });
const RankedRow = z.strictObject({ id: z.string(), score: Signed, rank: z.number().int().min(1), name: z.string().optional() });
export const BountyWinners = z.strictObject({
  by: z.enum(["person", "orgUnit"]),
  period: z.string(),
  metric: z.literal("bountiesWon"),
  rows: z.array(RankedRow),
});
