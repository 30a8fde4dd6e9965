/** What leaderboards need from storage (functions/dynamo/leaderboard-store.ts): aggregates, written by the projector, and preferences. */
import type { PersonId } from "../kernel/model.ts";
import type { Aggregate, EntryProjection } from "./boards.ts";

export interface Preferences {
  personId: PersonId;
  /** Others see "匿名 / Anonymous" instead of the person's name and id on boards. */
  leaderboardOptOut: boolean;
  updatedAt: string;
}

/** Storage of the aggregates (written by the projector only) and of the preferences. */
export interface LeaderboardStore {
  /** Aggregates of people or org units in one period; absent ones are not in the map. */
  aggregates(kind: "person" | "unit", ids: readonly string[], periodKey: string): Promise<Map<string, Aggregate>>;
  /** Badge level assets each person holds now (from their balances). */
  badges(personIds: readonly PersonId[]): Promise<Map<PersonId, string[]>>;
  preferences(personIds: readonly PersonId[]): Promise<Map<PersonId, Preferences>>;
  putPreferences(preferences: Preferences): Promise<void>;
}

/** The projector's side: applies one entry's aggregates exactly once, whatever the redeliveries. */
export interface AggregateWriter {
  apply(projection: EntryProjection, appliedAt: string): Promise<"applied" | "already-applied">;
}
