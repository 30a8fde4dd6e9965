/** Answers of boards, pioneer indices and the opt-out preference (the leaderboard functions). */
import * as z from "zod";
import { IndexDefinition } from "../../../domain/leaderboards/index.ts";
import { Count, definitionRead, definitionView, Instant, pendingChange } from "../answers.ts";

const BoardRow = z.strictObject({
  rank: z.number().int().min(1),
  score: z.number(),
  self: z.boolean(),
  personId: z.string().nullable().optional(),
  orgUnitId: z.string().optional(),
  name: z.string(),
  anonymous: z.literal(true).optional(),
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
    index: z.strictObject({ indexId: z.string(), version: Count, name: IndexDefinition.shape.name }).optional(),
    entrants: Count,
    entries: z.array(BoardRow),
    me: BoardRow.nullable(),
  })
  .meta({ id: "Board" });
export const IndexVersion = definitionView(IndexDefinition).meta({ id: "IndexVersion" });
export const IndexRead = definitionRead(IndexDefinition).meta({ id: "IndexRead" });
export const IndexProposal = pendingChange(IndexDefinition).meta({ id: "IndexProposal" });
export const Preferences = z
  .strictObject({ personId: z.string(), leaderboardOptOut: z.boolean(), updatedAt: Instant })
  .meta({ id: "Preferences" });
