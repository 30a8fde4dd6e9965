/**
 * Awards held, not refused: an event about a person whom a review holds (the anti-gaming hold
 * policy) is kept as it came, once per event id, moving no balance, and answered `held`. When
 * nothing holds the person any longer its award is posted through the webhook's own path (each
 * exactly once: the event record's condition), or, when the review confirms gaming, rejected with
 * the reviewer's reason. Either ending is written once beside the held award, so a source that
 * sends the event again learns how it ended instead of being paid for it.
 */
import type { PersonId } from "../kernel/model.ts";
import { Id } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import type { HeldSettlement } from "../ledger/index.ts";
import type { CloudEvent } from "./cloudevents.ts";

export interface HeldAward {
  personId: PersonId;
  sourceId: string;
  eventId: string;
  type: string;
  time: string;
  fingerprint: string;
  /** The event as the source sent it, to be evaluated when it is released. */
  event: CloudEvent;
  /** The review items that held the person when the event came. */
  reviews: string[];
  /** Or the exhausted budget whose policy holds it for an approver. */
  budget?: HeldBudget;
  heldAt: string;
}

export interface HeldBudget {
  budgetId: string;
  orgUnitId: string;
  period: string;
  /** Who set the budget's version: not its approvers (four eyes). */
  authors: PersonId[];
}

/** A held award and how it ended, if it has. */
export interface HeldAwardState {
  held: HeldAward;
  settled?: HeldSettlement | undefined;
}

/** Which event of which person: what a held award is found by. */
export interface HeldRef {
  personId: PersonId;
  sourceId: string;
  eventId: string;
}

export const heldRefKey = ({ personId, sourceId, eventId }: HeldRef) => `${personId}/${sourceId}/${eventId}`;

/** Where held awards are kept (ledger table, functions/dynamo/stores/held-award-store.ts): append-only. */
export interface HeldAwardStore {
  /** These events' held awards and their endings, where there are any (one round trip per 50). */
  find(refs: readonly HeldRef[]): Promise<Map<string, HeldAwardState>>;
  /** Keeps the award unless one is kept for its event; says whether it did. */
  keep(held: HeldAward): Promise<boolean>;
  /** A person's held awards with their endings, oldest first. */
  of(personId: PersonId): Promise<HeldAwardState[]>;
  /** The awards a budget held for approval with their endings, oldest first. */
  ofBudget(budgetId: string): Promise<HeldAwardState[]>;
  /** Records how an award ended, unless that is recorded already. */
  settle(settlement: HeldSettlement): Promise<void>;
}

/** A held award as answers show it: on its review item, and in the person's history (待审核). */
export interface HeldAwardView {
  personId: PersonId;
  sourceId: string;
  eventId: string;
  type: string;
  time: string;
  heldAt: string;
  reviews: string[];
  budget?: { orgUnitId: string; period: string };
  status: "held" | "posted" | "rejected";
  settled?: { by: PersonId; at: string; reason: string };
}

export const heldAwardView = ({ held, settled }: HeldAwardState): HeldAwardView => ({
  personId: held.personId,
  sourceId: held.sourceId,
  eventId: held.eventId,
  type: held.type,
  time: held.time,
  heldAt: held.heldAt,
  reviews: held.reviews,
  ...(held.budget ? { budget: { orgUnitId: held.budget.orgUnitId, period: held.budget.period } } : {}),
  status: settled?.outcome ?? "held",
  ...(settled ? { settled: { by: settled.by, at: settled.recordedAt, reason: settled.reason } } : {}),
});

export const HeldAwardDecision = z.strictObject({
  personId: Id,
  sourceId: Id,
  eventId: z.string().check(z.minLength(1), z.maxLength(200)),
  decision: z.enum(["release", "reject"]),
  reason: z.string().check(z.trim(), z.minLength(1, "say why, for the record"), z.maxLength(500)),
});
export type HeldAwardDecision = z.infer<typeof HeldAwardDecision>;
