/**
 * The tables, declared once: the CDK stack and the local/test setup both build them from here.
 *
 * ledger (append-only: no role may update or delete an item in it)
 * | item                  | pk                        | sk                  |
 * |-----------------------|---------------------------|---------------------|
 * | ledger entry          | CHAIN#<holder>            | ENTRY#<seq, 12 digits> |
 * | idempotency record    | IDEM#<scope>#<key>        | IDEM                |
 * | reversal marker       | REVERSED#<entryId>        | REVERSED            |
 * | claim history step    | CLAIMLOG#<claimId>        | STEP#<n, 6 digits>  |
 * | settlement marker     | SETTLED#<claimId>         | SETTLED             |
 * | event record          | EVENT#<sourceId>#<eventId>| EVENT               |
 * | retraction marker     | RETRACTED#<sourceId>#<eventId> | RETRACTED      |
 * | chain checkpoint      | CKPT#<holder>             | <recordedAt>#<seq>  |
 * | measure               | MEASURE#<personId>        | <eventType>#<recordedAt>#<eventId> |
 * | penalty               | PENALTY#<personId>        | <occurredAt>#<entryId> |
 * | audit record          | AUDIT#<day>               | <at>#<auditId>      |
 * | bounty history step   | BOUNTYLOG#<bountyId>      | STEP#<n, 6 digits>  |
 * | imported record marker| IMPORTED#<system>#<recordId> | IMPORTED         |
 *
 * state (projections and directory: mutable, every write conditional)
 * | item                  | pk                        | sk                  | gsi1pk / gsi1sk        |
 * |-----------------------|---------------------------|---------------------|------------------------|
 * | chain head (balances) | CHAIN#<holder>            | HEAD                |                        |
 * | person                | PERSON#<personId>         | PROFILE             | UNIT#<unit> / PERSON#<id> |
 * | org unit              | ORG                       | UNIT#<unitId>       | (removedAt: left out of the tree) |
 * | identity pointer      | IDENTITY#<provider>#<id>  | PERSON              |                        |
 * | provisioning client   | PROVISIONER#<clientId>    | CREDENTIALS         | (SCIM: credential hashes, two at most) |
 * | fund pool             | FUNDS                     | FUND#<fundId>       |                        |
 * | fund claim (versioned)| CLAIM#<claimId>           | CLAIM               | CLAIMANT#<id> / CLAIM#<claimId> |
 * | counter (reward stock)| COUNTER#<name>            | COUNTER             |                        |
 * | event log (by time) | EVLOG#<UTC day>#<shard 0–3> | <UTC instant>#<sourceId>#<eventId> | (the projector's copy of an event record) |
 * | person's board aggregate | LB#PERSON#<id>         | P#<periodKey>       | lb1…lb4: the person's boards (B#<unit>#<periodKey>#<shard>), with `points` |
 * | org unit's aggregate  | LB#UNIT#<id>#<periodKey>#<shard> | AGG       | (written by the projector only) |
 * | preferences           | PREFS#<personId>          | PREFS               |                        |
 * | person facts          | FACTS#<personId>          | FACTS               |                        |
 * | late sums (two clocks)| LATE#<personId>           | <day happened>#<day recorded> |              |
 * | bounty (versioned)    | BOUNTIES                  | BOUNTY#<bountyId>   |                        |
 * | import progress       | IMPORT#<importId>         | IMPORT              |                        |
 * | spent sign-in code    | SIGNIN#<sha256 of code>   | SPENT               | (expires: TTL `expiresAt`) |
 * | notice (the outbox)   | NOTE#<personId>           | <recordedAt>#<causeId> | (written by the notifier only, once per cause; expires: TTL `expiresAt`, 90 days) |
 * | gate met, first time  | GATEMET#<personId>        | <gateId>#v<version> | (the notifier's: when, and whether it was told) |
 * | notification channel  | NOTIFY#CHANNELS           | <channelId>         | (URL and secret sealed) |
 * | dead letter           | NOTIFY#DEAD               | <letterId>          | (expires: TTL `expiresAt`, 90 days) |
 * | robot's minute count  | NOTIFY#RATE#<channelId>   | <UTC minute>        | (expires: TTL `expiresAt`, a day) |
 * | notification prefs    | NOTIFYPREFS#<personId>    | PREFS               |                        |
 * | definition (current)  | DEF#<kind>                | <id>                |                        |
 * | definition (a version)| DEFV#<kind>#<id>          | V#<version, 8>      |                        |
 * | definition versions   | DEFINITIONS#<copy 0–7>    | VERSIONS            | (a counter per kind and the org tree's, 8 identical copies) |
 * | backtest job          | BACKTEST#<backtestId>     | JOB                 | BACKTESTS#<ruleId> / <startedAt>#<backtestId> |
 * | proposed change       | DEF#proposed-<kind>       | <id>                | (four eyes: docs/SECURITY.md) |
 * | every proposal        | DEFV#proposed-<kind>#<id> | V#<proposal, 8>     |                        |
 *
 * Access patterns: see docs/ARCHITECTURE.md.
 */
import { keys } from "./keys.ts";

const boardIndexLevels = keys.boardIndexLevels;

export interface TableSpec {
  /** Logical name; the physical name comes from the environment (LEDGER_TABLE, STATE_TABLE). */
  name: "ledger" | "state";
  envVar: string;
  globalIndexes: {
    name: string;
    partitionKey: string;
    /** None for an index read whole by partition. */
    sortKey?: string;
    /** The attributes the index carries besides its keys and the table's: every attribute unless listed. */
    include?: string[];
  }[];
  /** Streams feed projections (leaderboards) from the ledger. */
  stream: boolean;
  /** The attribute (epoch seconds) after which DynamoDB deletes an item; never on the ledger. */
  timeToLive?: string;
}

export const tables: Record<TableSpec["name"], TableSpec> = {
  ledger: { name: "ledger", envVar: "LEDGER_TABLE", globalIndexes: [], stream: true },
  state: {
    name: "state",
    envVar: "STATE_TABLE",
    globalIndexes: [
      { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
      // A board's people and their points, one index per level of the org tree below the group (a
      // person is on one board per level), read whole: functions/dynamo/leaderboard-store.ts. No sort
      // key, so that a change of points updates the index entry in place (one write, not two).
      ...Array.from({ length: boardIndexLevels }, (_, i) => ({ name: `lb${i + 1}`, partitionKey: `lb${i + 1}`, include: ["points"] })),
    ],
    stream: false,
    timeToLive: "expiresAt",
  },
};

export const tableName = (name: TableSpec["name"]): string => {
  const value = process.env[tables[name].envVar];
  if (!value) throw new Error(`${tables[name].envVar} is not set`);
  return value;
};
