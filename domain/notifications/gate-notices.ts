/**
 * "You now meet a promotion gate": told once per person and gate version, the first time a write
 * to the person's chain leaves them meeting it (checked on the ledger stream, against the person
 * as they are when the batch is read).
 *
 * Meeting a gate is a state, not an event: a person who meets it keeps meeting it with every
 * later entry. A mark per person and gate version (`GateMarks`) remembers the first time, and
 * whether its notice was handed to the outbox: a mark set but not told (the batch failed after
 * setting it) is told on the retry with the time it was set, so the notice is the same one and
 * the outbox writes it once; a told mark costs nothing more.
 */
import type { GateDefinition } from "../gates/index.ts";
import type { Versioned } from "../kernel/definitions.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Notice } from "./notices.ts";

export interface GateMark {
  personId: PersonId;
  gateId: string;
  version: number;
  /** When the person was first seen meeting the gate version: the notice's time. */
  at: string;
  told: boolean;
}

export interface GateMarks {
  /** The marks of these people's gates met, where set. */
  read(met: readonly { personId: PersonId; gateId: string; version: number }[]): Promise<GateMark[]>;
  /** Sets the mark unless it is set; answers the mark as it stands (an earlier try's, if any). */
  set(mark: GateMark): Promise<GateMark>;
  /** The mark's notice is in the outbox and its deliveries are queued. */
  told(marks: readonly GateMark[]): Promise<void>;
}

/** A person's gates met now, and when (the newest entry of theirs in the batch). */
export interface GatesMet {
  personId: PersonId;
  at: string;
  gates: readonly Versioned<GateDefinition>[];
}

const markKey = (m: { personId: string; gateId: string; version: number }) => `${m.personId}#${m.gateId}#${m.version}`;

export const gateNotice = (mark: GateMark, gate: Versioned<GateDefinition>): Notice => ({
  personId: mark.personId,
  causeId: `gate-met#${mark.gateId}#v${mark.version}`,
  at: mark.at,
  data: { kind: "gate-met", gateId: mark.gateId, version: mark.version, gate: gate.body.name, targetGrade: gate.body.targetGrade },
});

/** The notices to write for gates met, each mark set first; and the marks to record as told once they are written. */
export async function gateNotices(marks: GateMarks, met: readonly GatesMet[]): Promise<{ notices: Notice[]; marks: GateMark[] }> {
  const wanted = met.flatMap(({ personId, at, gates }) =>
    gates.map((gate) => ({ gate, mark: { personId, gateId: gate.id, version: gate.version, at, told: false } })),
  );
  if (wanted.length === 0) return { notices: [], marks: [] };
  const existing = new Map((await marks.read(wanted.map((w) => w.mark))).map((mark) => [markKey(mark), mark]));
  const untold = await Promise.all(
    wanted
      .filter(({ mark }) => !existing.get(markKey(mark))?.told)
      .map(async ({ gate, mark }) => ({ gate, mark: existing.get(markKey(mark)) ?? (await marks.set(mark)) })),
  );
  const open = untold.filter(({ mark }) => !mark.told);
  return { notices: open.map(({ gate, mark }) => gateNotice(mark, gate)), marks: open.map(({ mark }) => mark) };
}
