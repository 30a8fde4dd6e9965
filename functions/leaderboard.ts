/** Lambda: leaderboards, pioneer index definitions and preferences, read only. */
import { LeaderboardService } from "../domain/leaderboard-service.ts";
import type { PersonId } from "../domain/model.ts";
import { createAdapters } from "./shared/adapters.ts";
import { httpHandler } from "./shared/http.ts";
import { DynamoLeaderboardStore } from "./shared/leaderboard-store.ts";

const adapters = createAdapters();
const boards = new LeaderboardService({ ...adapters, store: new DynamoLeaderboardStore(adapters.db, adapters.tables.state) });

export const handler = httpHandler(
  "leaderboard",
  {
    leaderboard: async ({ caller, query }) => ({ body: await boards.board(caller, query) }),
    getIndex: async ({ caller, params }) => ({ body: await boards.getIndex(caller, params.indexId) }),
    preferences: async ({ caller, params }) => ({ body: await boards.preferences(caller, params.personId as PersonId) }),
  },
  adapters,
);
