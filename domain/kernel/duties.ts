/**
 * Separation of duties, one rule for every service: no privileged action may benefit its actor.
 * An admin, finance or approver may not act on their own chain (award, deduct, reverse, cancel,
 * claw back, decide, review a flag about them), may not approve their own definition change, and nobody is paid by an
 * event under a rule, source or badge version they wrote or approved (docs/SECURITY.md).
 */
import { DomainError } from "./errors.ts";
import type { PersonId } from "./model.ts";

/** Each privileged path refuses self-dealing with its own problem code, so a refusal says which. */
export const selfDealingCodes = {
  award: "self-award",
  deduction: "self-deduction",
  reversal: "self-reversal",
  cancellation: "self-cancellation",
  collection: "self-collection",
  clawback: "self-clawback",
  decision: "self-decision",
  judgement: "self-judgement",
  approval: "self-approval",
  release: "self-release",
  review: "self-review",
  rule: "self-authored-rule",
  source: "self-authored-source",
  badge: "self-authored-badge",
} as const;
export type Duty = keyof typeof selfDealingCodes;

const messages: Record<Duty, string> = {
  award: "An admin cannot award to themselves; ask another admin.",
  deduction: "An admin cannot deduct from their own account; ask another admin.",
  reversal: "Nobody may reverse an entry of their own account; ask another admin.",
  cancellation: "Nobody may cancel their own redemption; ask another admin.",
  collection: "Nobody may record the hand-over of their own redemption; another member of finance or an admin must.",
  clawback: "Nobody may claw back a payout made to themselves; ask another member of finance.",
  decision: "You submitted this claim or would be paid by it; another approver must decide on it.",
  judgement: "You are in this team and would be paid by its delivery; the bounty's poster, from outside it, judges it.",
  approval: "The author of a change cannot approve it; another admin must.",
  release: "An award held by a budget is released or rejected by someone else: not the person it pays, nor who set the budget.",
  review: "This review item is about you: another approver must decide on it.",
  rule: "The event would pay a person under a rule version they wrote or approved.",
  source: "The event would pay a person who defined this source or holds one of its secrets.",
  badge: "The event would give a person a badge level whose definition they wrote or approved.",
};

export class SelfDealingError extends DomainError {
  override name = "SelfDealingError";
  constructor(duty: Duty, personId: PersonId, details: Record<string, unknown> = {}) {
    super("forbidden", selfDealingCodes[duty], messages[duty], { personId, ...details });
  }
}

/** Refuses an action by `actor` when it concerns the actor: their chain, claim or change. */
export function assertNotSelf(duty: Duty, actor: PersonId, concerned: Iterable<PersonId>, details: Record<string, unknown> = {}): void {
  for (const personId of concerned) if (personId === actor) throw new SelfDealingError(duty, actor, details);
}

/** Who stands behind a definition version: its author and, under four eyes, its approver. */
export const authorsOf = (version: { updatedBy: PersonId; approvedBy?: PersonId | undefined }): PersonId[] =>
  version.approvedBy ? [version.updatedBy, version.approvedBy] : [version.updatedBy];

/**
 * Refuses a payout to a person under a definition they stand behind (`authors`); used for the
 * rules, sources and badges an achievement event is paid under.
 */
export function assertNotPaidByOwn(
  duty: "rule" | "source" | "badge",
  paid: Iterable<PersonId>,
  authors: readonly PersonId[],
  details: Record<string, unknown>,
): void {
  for (const personId of paid) if (authors.includes(personId)) throw new SelfDealingError(duty, personId, details);
}
