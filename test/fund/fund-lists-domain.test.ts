/** The fund's lists with plain values: who a waiting claim is shown to, and a redemption's listing as it stands. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertMayDecide, type Claim, mayDecide, redemptionListing, type Team } from "../../domain/fund/index.ts";
import type { EntryId, OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";

const people = ["ana", "bo", "cai", "dan"] as PersonId[];
const units = ["east", "south"] as OrgUnitId[];

const claimOf = (claimant: PersonId, parts: PersonId[], approvedBy: PersonId[]): Claim =>
  ({
    claimId: "clm-1",
    claimant,
    claimantUnit: "east",
    parts: parts.map((personId) => ({ personId, amount: 1 })),
    decisions: approvedBy.map((approverId) => ({ approverId, decision: "approve", comment: "ok", at: "2026-12-01T00:00:00.000Z" })),
    status: "pending",
    requiredApprovals: 2,
  }) as unknown as Claim;

describe("claims waiting for an approver", () => {
  it("shows a claim as decidable exactly when maker-checker would let the approver decide it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...people),
        fc.subarray(people, { minLength: 1 }),
        fc.subarray(people, { maxLength: 1 }),
        fc.constantFrom(...people),
        fc.constantFrom(...units),
        fc.boolean(),
        (claimant, parts, approvedBy, approver, orgUnitId, leadsApprover) => {
          const claim = claimOf(claimant, parts, approvedBy);
          const team: Team = { includes: (_p, unit) => unit === "east" || leadsApprover };
          let allowed = true;
          try {
            assertMayDecide(claim, { personId: approver, orgUnitId }, team);
          } catch {
            allowed = false;
          }
          expect(mayDecide(claim, { personId: approver, orgUnitId }, team)).toBe(allowed);
        },
      ),
    );
  });

  it("shows a settled claim to nobody", () => {
    const settled = { ...claimOf("ana" as PersonId, ["ana" as PersonId], []), status: "paid" } as Claim;
    expect(mayDecide(settled, { personId: "dan" as PersonId, orgUnitId: "south" as OrgUnitId }, { includes: () => false })).toBe(false);
  });
});

describe("a redemption's listing", () => {
  const entry = {
    entryId: "person.ana.7" as EntryId,
    holder: "person:ana",
    seq: 7,
    kind: "redemption",
    asset: "coin",
    amount: 30,
    from: "person:ana",
    to: "system:redemptions",
    reason: "兑换 书籍 × 3",
    cause: { code: "redemption", params: { rewardId: "book", reward: { zh: "书籍", en: "Book" }, quantity: 3 } },
    actor: { kind: "person", personId: "ana" },
    occurredAt: "2026-12-01T08:00:00.000Z",
    recordedAt: "2026-12-01T08:00:00.000Z",
    ref: { rewardId: "book", rewardVersion: 2, quantity: 3, periodKey: "-" },
    prevHash: "0",
    hash: "1",
  } as unknown as LedgerEntry;

  it("is placed, then collected with when and by whom, or cancelled with the reversal's reason", () => {
    expect(redemptionListing(entry)).toEqual({
      entryId: "person.ana.7",
      personId: "ana",
      seq: 7,
      rewardId: "book",
      rewardVersion: 2,
      reward: { zh: "书籍", en: "Book" },
      quantity: 3,
      coins: 30,
      redeemedAt: "2026-12-01T08:00:00.000Z",
      status: "placed",
    });
    const collected = redemptionListing(entry, { collected: { collectedAt: "2026-12-02T09:00:00.000Z", collectedBy: "bo" as PersonId } });
    expect(collected).toMatchObject({ status: "collected", collectedAt: "2026-12-02T09:00:00.000Z", collectedBy: "bo" });
    const reversal = {
      ...entry,
      entryId: "person.ana.8" as EntryId,
      seq: 8,
      kind: "reversal",
      reverses: entry.entryId,
      reason: "缺货",
      actor: { kind: "person", personId: "cai" },
      recordedAt: "2026-12-03T10:00:00.000Z",
    } as LedgerEntry;
    expect(redemptionListing(entry, { cancellation: reversal })).toMatchObject({
      status: "cancelled",
      cancelledAt: "2026-12-03T10:00:00.000Z",
      cancelledBy: "cai",
      cancellationEntryId: "person.ana.8",
      cancelReason: "缺货",
    });
  });

  it("names the reward by its id for a redemption written before causes existed", () => {
    const { cause: _cause, ...old } = entry;
    expect(redemptionListing(old as LedgerEntry).reward).toEqual({ zh: "book" });
  });
});
