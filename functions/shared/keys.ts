/** Key builders: the only place that knows how items are keyed (see tables.ts). */
import type { AccountId, EntryId, OrgUnitId, PersonId } from "../../domain/model.ts";

const seqWidth = 12;

export const keys = {
  entry: (holder: AccountId, seq: number) => ({ pk: `CHAIN#${holder}`, sk: `ENTRY#${String(seq).padStart(seqWidth, "0")}` }),
  entryPrefix: "ENTRY#",
  chain: (holder: AccountId) => `CHAIN#${holder}`,
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${scope}#${key}`, sk: "IDEM" }),
  reversal: (entryId: EntryId) => ({ pk: `REVERSED#${entryId}`, sk: "REVERSED" }),
  head: (holder: AccountId) => ({ pk: `CHAIN#${holder}`, sk: "HEAD" }),
  person: (personId: PersonId) => ({ pk: `PERSON#${personId}`, sk: "PROFILE" }),
  personByUnit: (orgUnitId: OrgUnitId, personId: PersonId) => ({ gsi1pk: `UNIT#${orgUnitId}`, gsi1sk: `PERSON#${personId}` }),
  unitMembers: (orgUnitId: OrgUnitId) => `UNIT#${orgUnitId}`,
  orgUnit: (orgUnitId: OrgUnitId) => ({ pk: "ORG", sk: `UNIT#${orgUnitId}` }),
  orgPartition: "ORG",
  definition: (kind: string, id: string) => ({ pk: `DEF#${kind}`, sk: id }),
  definitionPartition: (kind: string) => `DEF#${kind}`,
  definitionVersion: (kind: string, id: string, version: number) => ({
    pk: `DEFV#${kind}#${id}`,
    sk: `V#${String(version).padStart(8, "0")}`,
  }),
  event: (sourceId: string, eventId: string) => ({ pk: `EVENT#${sourceId}#${eventId}`, sk: "EVENT" }),
  retraction: (sourceId: string, eventId: string) => ({ pk: `RETRACTED#${sourceId}#${eventId}`, sk: "RETRACTED" }),
};

/** Strips key attributes off an item read back from a table. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}
