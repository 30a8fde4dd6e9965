/** Answers of open bounties (the bounties function). */
import * as z from "../../../domain/kernel/zod/index.ts";
import { Capability, Count, Instant, Localized, Signed } from "../answers.ts";

const Author = z.strictObject({ personId: z.string(), name: z.string(), share: Count });
const BountyTeam = z.strictObject({
  teamId: z.string(),
  lead: z.string(),
  leadUnit: z.string(),
  members: z.array(Author),
  status: z.enum(["working", "delivered", "accepted", "rejected", "closed"]),
  takenAt: Instant,
  delivery: z.optional(z.strictObject({ link: z.string(), note: z.string(), at: Instant, by: z.string() })),
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
    funding: z.optional(
      z.strictObject({
        fundId: z.string(),
        currency: z.string(),
        amount: Count,
        reservationEntryId: z.string(),
        claimId: z.string(),
        voidEntryId: z.optional(z.string()),
      }),
    ),
    deadline: Instant,
    maxTeams: Count,
    poster: z.string(),
    posterUnit: z.string(),
    postedAt: Instant,
    status: BountyStatus,
    teams: z.array(BountyTeam),
    winner: z.optional(z.string()),
    doneAt: z.optional(Instant),
    rewardEntryIds: z.array(z.string()),
    updatedAt: Instant,
    version: Count,
    steps: Count,
  })
  .register(z.globalRegistry, { id: "Bounty" });
const BountyStep = z.strictObject({
  bountyId: z.string(),
  step: Count,
  at: Instant,
  actor: z.string(),
  action: z.enum(["posted", "taken", "delivered", "accepted", "rejected", "expired"]),
  status: BountyStatus,
  teamId: z.optional(z.string()),
  reason: z.optional(z.string()),
  entryIds: z.optional(z.array(z.string())),
});
export const BountyView = z
  .strictObject({ bounty: Bounty, history: z.optional(z.array(BountyStep)) })
  .register(z.globalRegistry, { id: "BountyView" });
export const BountyList = z.strictObject({ bounties: z.array(Bounty) });
const RankedRow = z.strictObject({
  id: z.string(),
  score: Signed,
  rank: z.number().check(z.int(), z.gte(1)),
  name: z.optional(z.string()),
});
export const BountyWinners = z.strictObject({
  by: z.enum(["person", "orgUnit"]),
  period: z.string(),
  metric: z.literal("bountiesWon"),
  rows: z.array(RankedRow),
});
