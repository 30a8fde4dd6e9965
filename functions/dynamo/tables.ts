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
 * | org unit              | ORG                       | UNIT#<unitId>       |                        |
 * | fund pool             | FUNDS                     | FUND#<fundId>       |                        |
 * | fund claim (versioned)| CLAIM#<claimId>           | CLAIM               | CLAIMANT#<id> / CLAIM#<claimId> |
 * | counter (reward stock)| COUNTER#<name>            | COUNTER             |                        |
 * | board aggregate       | LB#PERSON#<id> or LB#UNIT#<id> | P#<periodKey> | (written by the projector only) |
 * | preferences           | PREFS#<personId>          | PREFS               |                        |
 * | person facts          | FACTS#<personId>          | FACTS               |                        |
 * | late sums (two clocks)| LATE#<personId>           | <day happened>#<day recorded> |              |
 * | bounty (versioned)    | BOUNTIES                  | BOUNTY#<bountyId>   |                        |
 * | import progress       | IMPORT#<importId>         | IMPORT              |                        |
 * | notice (the outbox)   | NOTE#<personId>           | <recordedAt>#<causeId> | (written by the notifier only, once per cause) |
 * | notification channel  | NOTIFY#CHANNELS           | <channelId>         | (URL and secret sealed) |
 * | dead letter           | NOTIFY#DEAD               | <letterId>          |                        |
 * | robot's minute count  | NOTIFY#RATE#<channelId>   | <UTC minute>        |                        |
 * | notification prefs    | NOTIFYPREFS#<personId>    | PREFS               |                        |
 * | definition (current)  | DEF#<kind>                | <id>                |                        |
 * | definition (a version)| DEFV#<kind>#<id>          | V#<version, 8>      |                        |
 * | definition versions   | DEFINITIONS#<copy 0–7>    | VERSIONS            | (a counter per kind, 8 identical copies) |
 * | proposed change       | DEF#proposed-<kind>       | <id>                | (four eyes: docs/SECURITY.md) |
 * | every proposal        | DEFV#proposed-<kind>#<id> | V#<proposal, 8>     |                        |
 *
 * Access patterns: see docs/ARCHITECTURE.md.
 */
export interface TableSpec {
  /** Logical name; the physical name comes from the environment (LEDGER_TABLE, STATE_TABLE). */
  name: "ledger" | "state";
  envVar: string;
  globalIndexes: { name: string; partitionKey: string; sortKey: string }[];
  /** Streams feed projections (leaderboards) from the ledger. */
  stream: boolean;
}

export const tables: Record<TableSpec["name"], TableSpec> = {
  ledger: { name: "ledger", envVar: "LEDGER_TABLE", globalIndexes: [], stream: true },
  state: {
    name: "state",
    envVar: "STATE_TABLE",
    globalIndexes: [{ name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk" }],
    stream: false,
  },
};

export const tableName = (name: TableSpec["name"]): string => {
  const value = process.env[tables[name].envVar];
  if (!value) throw new Error(`${tables[name].envVar} is not set`);
  return value;
};
