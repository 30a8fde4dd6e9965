/** Lambda: leaderboards, pioneer index definitions and preferences, read only. */

import type { PersonId } from "../../domain/kernel/model.ts";
import { LeaderboardService } from "../../domain/leaderboards/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoLeaderboardStore } from "../dynamo/leaderboard-store.ts";
import { leaderboardRoutes } from "../http/areas/leaderboard.routes.ts";
import { httpHandler } from "../http/http.ts";

const adapters = createAdapters("leaderboard");
const boards = new LeaderboardService({ ...adapters, store: new DynamoLeaderboardStore(adapters.db, adapters.tables.state) });

export const handler = httpHandler(
  "leaderboard",
  leaderboardRoutes,
  {
    leaderboard: async ({ caller, query }) => ({ body: await boards.board(caller, query) }),
    getIndex: async ({ caller, params }) => ({ body: await boards.getIndex(caller, params.indexId) }),
    preferences: async ({ caller, params }) => ({ body: await boards.preferences(caller, params.personId as PersonId) }),
  },
  adapters,
);
