/** Lambda: what changes leaderboards: pioneer index definitions (admin) and opt-out preferences (self). */
import { LeaderboardService } from "../domain/leaderboard-service.ts";
import type { PersonId } from "../domain/model.ts";
import { createAdapters } from "./shared/adapters.ts";
import { httpHandler } from "./shared/http.ts";
import { DynamoLeaderboardStore } from "./shared/leaderboard-store.ts";

const adapters = createAdapters();
const boards = new LeaderboardService({ ...adapters, store: new DynamoLeaderboardStore(adapters.db, adapters.tables.state) });

export const handler = httpHandler(
  "leaderboard-settings",
  {
    putIndex: async ({ caller, params, body }) => ({ body: await boards.putIndex(caller, params.indexId, body) }),
    putPreferences: async ({ caller, params, body }) => ({
      body: await boards.putPreferences(caller, params.personId as PersonId, body),
    }),
  },
  adapters,
);
