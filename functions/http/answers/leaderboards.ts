/** Answers of boards, pioneer indices and the opt-out preference (the leaderboard functions). */
import * as z from "../../../domain/kernel/zod/index.ts";
import { IndexDefinition } from "../../../domain/leaderboards/index.ts";
import { Count, definitionRead, definitionView, Instant, pendingChange } from "../answers.ts";

const BoardRow = z.strictObject({
  rank: z.number().check(z.int(), z.gte(1)),
  score: z.number(),
  self: z.boolean(),
  personId: z.optional(z.nullable(z.string())),
  orgUnitId: z.optional(z.string()),
  name: z.string(),
  anonymous: z.optional(z.literal(true)),
});
export const Board = z
  .strictObject({
    orgUnit: z.strictObject({ orgUnitId: z.string(), name: z.string() }),
    by: z.enum(["person", "orgUnit"]),
    metric: z.string(),
    period: z.enum(["week", "month", "quarter", "year", "all"]),
    periodKey: z.string(),
    timeZone: z.string(),
    order: z.string(),
    index: z.optional(z.strictObject({ indexId: z.string(), version: Count, name: IndexDefinition.shape.name })),
    entrants: Count,
    entries: z.array(BoardRow),
    me: z.nullable(BoardRow),
  })
  .register(z.globalRegistry, { id: "Board" });
export const IndexVersion = definitionView(IndexDefinition).register(z.globalRegistry, { id: "IndexVersion" });
export const IndexRead = definitionRead(IndexDefinition).register(z.globalRegistry, { id: "IndexRead" });
export const IndexProposal = pendingChange(IndexDefinition).register(z.globalRegistry, { id: "IndexProposal" });
export const Preferences = z
  .strictObject({ personId: z.string(), leaderboardOptOut: z.boolean(), updatedAt: Instant })
  .register(z.globalRegistry, { id: "Preferences" });
