/**
 * Where each key family's load lands (functions/dynamo/keys.ts): the capacity model's knowledge
 * of the key design. A family the benchmark measures but this table lacks stops the model, so a
 * new key family cannot slip past it.
 */
import { boardPeriods } from "../../domain/leaderboards/index.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import type { Spread } from "./model.ts";

const one: Spread = { copies: 1 };

export const spreads: Record<string, Spread> = {
  // Per person (a holder's chain, profile, facts, logs, aggregates, preferences).
  "CHAIN#<…>": "person",
  "PERSON#<…>": "person",
  "FACTS#<…>": "person",
  "MEASURE#<…>": "person",
  "PENALTY#<…>": "person",
  "CKPT#<…>": "person",
  "LB#PERSON#<…>": "person",
  "PREFS#<…>": "person",
  "REDEMPTIONS#<…>": "person",
  "CLAIMANT#<…>": "person",
  // Written once ever, per event, request or entry.
  "EVENT#<…>": "once",
  "RETRACTED#<…>": "once",
  "IDEM#<…>": "once",
  "REVERSED#<…>": "once",
  "LB#APPLIED#<…>": "once",
  "CLAIM#<…>": "once",
  "CLAIMLOG#<…>": "once",
  "SETTLED#<…>": "once",
  // Per org unit: the largest unit below the group takes its people's share; a unit's aggregate and
  // its boards (B#: the index entries of its people's period items) per period, the largest unit's
  // in shards by person.
  "LB#UNIT#<…>": { shards: keys.boardShards, keysPerUnit: boardPeriods.length },
  "B#<…>": { shards: keys.boardShards, keysPerUnit: boardPeriods.length },
  "UNIT#<…>": "unit",
  // One key for everybody (or per day, per kind: the same at any moment), split over its copies.
  "DEFINITIONS#<…>": { copies: keys.definitionVersionCopies },
  "AUDIT#<…>": one,
  // The org tree: a reader reads one of its copies; units written before the copies in the one
  // partition of old.
  "ORG#<…>": { copies: keys.orgCopies },
  ORG: one,
  "DEF#<…>": one,
  FUNDS: one,
  // The approvers' queue: every pending claim, one partition (keys.ts): claims are few beside events.
  "WAITING#CLAIMS": one,
  "COUNTER#<…>": one,
  // The event log: a day's events of the whole company over its shards (the projector writes it).
  "EVLOG#<…>": { copies: keys.eventLogShards },
};
