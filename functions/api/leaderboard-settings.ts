/** Lambda: what changes leaderboards: pioneer index definitions (admin) and opt-out preferences (self). */

import type { PersonId } from "../../domain/kernel/model.ts";
import { LeaderboardService } from "../../domain/leaderboards/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoLeaderboardStore } from "../dynamo/leaderboard-store.ts";
import { leaderboardRoutes } from "../http/areas/leaderboard.routes.ts";
import { httpHandler } from "../http/http.ts";
import { changeReply } from "../http/route.ts";

const adapters = createAdapters("leaderboard-settings");
const boards = new LeaderboardService({ ...adapters, store: new DynamoLeaderboardStore(adapters.db, adapters.tables.state) });

export const handler = httpHandler(
  "leaderboard-settings",
  leaderboardRoutes,
  {
    putIndex: async ({ caller, params, body, ifMatch }) => changeReply(await boards.putIndex(caller, params.indexId, body, ifMatch)),
    approveIndex: async ({ caller, params, body }) => ({ body: await boards.approveIndex(caller, params.indexId, body.proposal) }),
    putPreferences: async ({ caller, params, body }) => ({
      body: await boards.putPreferences(caller, params.personId as PersonId, body),
    }),
  },
  adapters,
);
