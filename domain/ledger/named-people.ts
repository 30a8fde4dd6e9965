/** The people a request names (a dry run on chosen people), read together in the order named. */
import type { Person } from "../directory/index.ts";
import type { PersonId } from "../kernel/model.ts";
import type { LedgerStore, PersonSnapshot } from "./ports.ts";

export interface NamedPeople {
  /** Those in the directory, once each, in the order named. */
  found: (PersonSnapshot & { personId: PersonId; person: Person })[];
  /** Ids named that are not in the directory. */
  unknown: PersonId[];
}

export async function readNamedPeople(read: LedgerStore["readPeople"], personIds: readonly string[]): Promise<NamedPeople> {
  const ids = [...new Set(personIds)] as PersonId[];
  const snapshots = await read(ids);
  const found = ids.flatMap((personId) => {
    const snapshot = snapshots.get(personId);
    return snapshot?.person ? [{ ...snapshot, personId, person: snapshot.person }] : [];
  });
  return { found, unknown: ids.filter((id) => !snapshots.get(id)?.person) };
}
