/**
 * Awards held, not refused: an event about a person whom a review holds (the anti-gaming hold
 * policy) is kept as it came, once per event id, moving no balance, and answered `held`. When
 * nothing holds the person any longer its award is posted through the webhook's own path (each
 * exactly once: the event record's condition), or, when the review confirms gaming, rejected with
 * the reviewer's reason. Either ending is written once beside the held award, so a source that
 * sends the event again learns how it ended instead of being paid for it.
 */
import type { PersonId } from "../kernel/model.ts";
import type { Page } from "../kernel/ports.ts";
import { Id } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";
import type { HeldListingMove, HeldSettlement } from "../ledger/index.ts";
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
  /**
   * A team event's award to a member who is not its subject: the event's other awards were posted
   * when it came; posting this one pays this member their share of its team rules, split among
   * the members as they were then.
   */
  share?: { members: PersonId[] };
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
  /** Records how an award ended, unless that is recorded already (one a budget held leaves the approvers' held list with it). */
  settle(settlement: HeldSettlement, held: HeldAward): Promise<void>;
  /**
   * Awards budgets held, across budgets, as approvers list them: held ones oldest first, posted
   * and rejected ones newest first (by when they ended), a page at a time.
   */
  listed(status: HeldAwardStatus, limit: number, cursor?: string): Promise<Page<HeldAwardView>>;
}

export const heldAwardStatuses = ["held", "posted", "rejected"] as const;
export type HeldAwardStatus = (typeof heldAwardStatuses)[number];

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
  status: HeldAwardStatus;
  settled?: { by: PersonId; at: string; reason: string };
  /** A team event's award to a member: the share kept of the members named. */
  share?: { members: PersonId[] };
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
  ...(held.share ? { share: held.share } : {}),
});

/** A budget's held award leaves the approvers' held list for its outcome's as it is settled; others are not listed. */
export const listingMove = (held: HeldAward, settled: HeldSettlement): HeldListingMove | undefined =>
  held.budget ? { heldAt: held.heldAt, body: { ...heldAwardView({ held, settled }) } } : undefined;

export const HeldAwardListQuery = z.strictObject({
  status: z._default(z.enum(heldAwardStatuses), "held"),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(500))),
});
export type HeldAwardListQuery = z.infer<typeof HeldAwardListQuery>;

export const HeldAwardDecision = z.strictObject({
  personId: Id,
  sourceId: Id,
  eventId: z.string().check(z.minLength(1), z.maxLength(200)),
  decision: z.enum(["release", "reject"]),
  reason: z.string().check(z.trim(), z.minLength(1, "say why, for the record"), z.maxLength(500)),
});
export type HeldAwardDecision = z.infer<typeof HeldAwardDecision>;
