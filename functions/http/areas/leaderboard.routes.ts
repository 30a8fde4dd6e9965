/**
 * Routes of the leaderboards: boards (area `leaderboard`, read-only on the tables) and what
 * changes them, pioneer indices and the opt-out preference (area `leaderboard-settings`).
 */
import { ApprovalRequest, Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { boardPeriods, IndexDefinition } from "../../../domain/leaderboards/index.ts";
import { Board, IndexProposal, IndexRead, IndexVersion, Preferences } from "../answers/leaderboards.ts";
import { defineRoute } from "../route.ts";

const IndexParams = z.strictObject({ indexId: Id });
const PersonParams = z.strictObject({ personId: Id });

export const LeaderboardQuery = z.strictObject({
  orgUnit: z.optional(Id),
  period: z._default(z.enum(boardPeriods), "month"),
  at: z.optional(z.union([z.iso.date(), z.iso.datetime({ offset: true })])),
  metric: z._default(
    z
      .string()
      .check(
        z.maxLength(80),
        z.regex(/^(points|points:[a-z-]{1,40}|index:[A-Za-z0-9_-]{1,64})$/, "use points, points:<capability> or index:<indexId>"),
      ),
    "points",
  ),
  by: z._default(z.enum(["person", "orgUnit"]), "person"),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 10),
});

export const PreferencesInput = z.strictObject({ leaderboardOptOut: z.boolean() }).register(z.globalRegistry, { id: "PreferencesInput" });

export const leaderboardRoutes = {
  leaderboard: defineRoute({
    method: "GET",
    path: "/leaderboards",
    area: "leaderboard",
    auth: "token",
    problems: ["forbidden", "index-needs-people", "index-not-found", "metric-invalid", "org-unit-not-found"],
    summary:
      "A leaderboard: people of an org unit's subtree (or its child units, by=orgUnit) ranked by points, points in a capability or a pioneer index, in a week, month, quarter, year or all time (any signed-in user, for the units they belong to or lead; hr and admin any).",
    query: LeaderboardQuery,
    success: { status: 200, description: "The top entries, the caller's own position and the board's stated order.", schema: Board },
  }),
  getIndex: defineRoute({
    method: "GET",
    path: "/admin/indices/{indexId}",
    area: "leaderboard",
    auth: "token",
    problems: ["forbidden", "index-not-found"],
    summary: "A pioneer index definition, current version, and the change waiting for approval if any (admin, hr).",
    params: IndexParams,
    etag: true,
    success: {
      status: 200,
      description: "The index, and the change waiting for approval; version 0 when only proposed.",
      schema: IndexRead,
    },
  }),
  preferences: defineRoute({
    method: "GET",
    path: "/people/{personId}/preferences",
    area: "leaderboard",
    auth: "token",
    problems: ["forbidden"],
    summary: "The caller's own preferences (self only).",
    params: PersonParams,
    success: { status: 200, description: "The preferences.", schema: Preferences },
  }),
  putIndex: defineRoute({
    method: "PUT",
    path: "/admin/indices/{indexId}",
    area: "leaderboard-settings",
    auth: "token",
    problems: ["definition-changed", "forbidden", "version-mismatch"],
    summary:
      "Define or change a pioneer index: weighted, normalised measures, weights summing to 1; each change is a new version, or under four eyes a proposal answered 202 until a second admin approves it (admin).",
    params: IndexParams,
    body: IndexDefinition,
    etag: true,
    success: {
      status: 200,
      description: "The index with its new version (202: the proposal waiting for approval).",
      schema: IndexVersion,
      pending: IndexProposal,
    },
  }),
  approveIndex: defineRoute({
    method: "POST",
    path: "/admin/indices/{indexId}/approval",
    area: "leaderboard-settings",
    auth: "token",
    problems: ["definition-changed", "forbidden", "index-not-found", "no-pending-change", "proposal-changed", "self-approval"],
    summary: "Approve the index change waiting for a second admin; its author cannot (admin).",
    params: IndexParams,
    body: ApprovalRequest,
    etag: true,
    success: { status: 200, description: "The index with its new version, author and approver.", schema: IndexVersion },
  }),
  putPreferences: defineRoute({
    method: "PUT",
    path: "/people/{personId}/preferences",
    area: "leaderboard-settings",
    auth: "token",
    problems: ["forbidden"],
    summary: "Opt out of appearing by name on leaderboards seen by others (self only).",
    params: PersonParams,
    body: PreferencesInput,
    success: { status: 200, description: "The preferences as stored.", schema: Preferences },
  }),
} as const;
