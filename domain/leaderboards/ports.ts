/** What leaderboards need from storage (functions/dynamo/leaderboard-store.ts): aggregates, written by the projector, and preferences. */
import type { Person } from "../directory/index.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { Aggregate, EntryProjection, Scored } from "./boards.ts";

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
  /**
   * Everyone with points in the period on the board of `unitId`, which sits at `level` of the tree
   * (1: just below the group), with their points: kept by the projector beside each person's
   * aggregate (only people with an entry in the period are there). Undefined where the store keeps
   * no such board (other levels): the board is then ranked from each member's aggregate.
   */
  standings(unitId: OrgUnitId, level: number, periodKey: string): Promise<Scored[] | undefined>;
  /** Badge level assets each person holds now (from their balances). */
  badges(personIds: readonly PersonId[]): Promise<Map<PersonId, string[]>>;
  preferences(personIds: readonly PersonId[]): Promise<Map<PersonId, Preferences>>;
  putPreferences(preferences: Preferences): Promise<void>;
}

/**
 * The projector's side: applies a stream batch's projections, each entry once however often and
 * in whatever batches it is delivered, as long as each chain's entries first arrive in `seq`
 * order (domain/leaderboards/batches.ts). Answers how many entries it applied now.
 */
export interface AggregateWriter {
  applyBatch(projections: readonly EntryProjection[]): Promise<{ applied: number; alreadyApplied: number }>;
}

/** People by id, in one read (absent ones are not in the map): a board names only the rows it shows. */
export interface PeopleById {
  people(personIds: readonly PersonId[]): Promise<Map<PersonId, Person>>;
}
