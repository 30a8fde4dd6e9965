/** What deserves telling, and how it is told: notices from plain entries and claim steps, messages, quiet hours, backoff. */
import { describe, expect, it } from "vitest";
import type { ClaimStep } from "../../domain/fund/index.ts";
import type { EntryId, PersonId } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import {
  backoffSeconds,
  type Channel,
  deliveriesOf,
  firstRetrySeconds,
  groupLine,
  noticeOfClaimStep,
  noticesOfEntries,
  personalMessage,
  personChannel,
  quietUntil,
  retryForSeconds,
} from "../../domain/notifications/index.ts";

const settings = { awardAtLeast: 50 };
const one = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("expected a value");
  return value;
};
let seq = 0;
const entry = (fields: Partial<LedgerEntry>): LedgerEntry =>
  ({
    kind: "award",
    holder: "person:liu-yang",
    from: "system:issuer",
    to: "person:liu-yang",
    asset: "coin",
    amount: 10,
    reason: "course",
    actor: { kind: "source", sourceId: "learning", eventId: "e-1" },
    occurredAt: "2026-12-01T08:00:00.000Z",
    recordedAt: "2026-12-01T08:00:01.000Z",
    entryId: `person.liu-yang.${++seq}` as EntryId,
    seq,
    prevHash: "",
    hash: "",
    ...fields,
  }) as LedgerEntry;

const badge = { badgeId: "ai-pioneer", level: 2, badge: { zh: "AI 先锋", en: "AI pioneer" }, levelName: { zh: "二级", en: "Level 2" } };

describe("notices from the ledger", () => {
  it("tells a badge level once per entry, with the coins that came with it left to the badge", () => {
    const badgeEntry = entry({ asset: "badge:ai-pioneer:2", amount: 1, cause: { code: "badge", params: badge } });
    const notices = noticesOfEntries([badgeEntry, entry({ asset: "coin", amount: 100, grantedWith: "badge:ai-pioneer:2" })], settings);
    expect(notices.map((n) => [n.causeId, n.data.kind])).toEqual([[`badge#ai-pioneer#2#${badgeEntry.seq}`, "badge"]]);
  });

  it("tells an award only when its coins or points reach the threshold, summed over the write", () => {
    const small = noticesOfEntries([entry({ amount: 20 }), entry({ asset: "point:tool-operation", amount: 10 })], settings);
    expect(small).toEqual([]);
    const big = noticesOfEntries(
      [entry({ amount: 30 }), entry({ amount: 25 }), entry({ asset: "point:tool-operation", amount: 5 })],
      settings,
    );
    expect(big.map((n) => n.data)).toEqual([{ kind: "award", coins: 55, points: 5 }]);
  });

  it("keeps two events of one person in one batch apart, and gives a replay the same cause ids", () => {
    const first = entry({ amount: 60, actor: { kind: "source", sourceId: "learning", eventId: "e-1" } });
    const second = entry({ amount: 70, actor: { kind: "source", sourceId: "learning", eventId: "e-2" } });
    const notices = noticesOfEntries([first, second], settings);
    expect(new Set(notices.map((n) => n.causeId)).size).toBe(2);
    expect(noticesOfEntries([first, second], settings)).toEqual(notices);
  });

  it("tells a penalty with its warning colour", () => {
    const [notice] = noticesOfEntries(
      [
        entry({
          kind: "deduction",
          from: "person:liu-yang",
          to: "system:penalties",
          amount: 5,
          category: "red-warning",
          reason: "late report",
        }),
      ],
      settings,
    );
    expect(notice?.data).toEqual({ kind: "penalty", category: "red-warning", colour: "red", coins: 5, points: 0, reason: "late report" });
    expect(personalMessage(one(notice).data, "zh").text).toBe("红色预警：扣减 5 金币。原因：late report");
    expect(personalMessage(one(notice).data, "en").title).toBe("A red warning");
  });

  it("tells redemptions placed and cancelled, and fund payouts to each member", () => {
    const reward = { rewardId: "coffee", reward: { zh: "咖啡券", en: "Coffee voucher" }, quantity: 1 };
    const placed = entry({
      kind: "redemption",
      from: "person:liu-yang",
      to: "system:redemptions",
      amount: 30,
      cause: { code: "redemption", params: reward },
    });
    const cancelled = entry({
      kind: "reversal",
      reverses: placed.entryId,
      amount: 30,
      recordedAt: "2026-12-02T00:00:00.000Z",
      cause: { code: "redemption-cancelled", params: reward },
    });
    const payout = entry({
      kind: "payout",
      asset: "money:CNY",
      amount: 12_345,
      from: "fund:f:reserved",
      mirrorOf: "fund.f.3" as EntryId,
      recordedAt: "2026-12-03T00:00:00.000Z",
      cause: { code: "fund-payout", params: { claimId: "c-1", scenario: "AR try-on" } },
    });
    const notices = noticesOfEntries([placed, cancelled, payout], settings);
    expect(notices.map((n) => n.data.kind)).toEqual(["redemption-placed", "redemption-cancelled", "claim-paid"]);
    expect(personalMessage(one(notices[2]).data, "zh").text).toBe("创新基金向你发放 123.45 CNY：AR try-on");
  });

  it("tells no one of entries in other chains", () => {
    expect(noticesOfEntries([entry({ holder: "fund:f", to: "fund:f", amount: 1000 })], settings)).toEqual([]);
  });

  it("tells the claimant of a submission and of each decision, not of a withdrawal", () => {
    const step = (action: ClaimStep["action"], status: ClaimStep["status"], n: number): ClaimStep => ({
      claimId: "c-1",
      step: n,
      at: `2026-12-01T0${n}:00:00.000Z`,
      actor: "jiang-wen" as PersonId,
      action,
      status,
    });
    const of = (s: ClaimStep) => noticeOfClaimStep({ step: s, claimant: "liu-yang" as PersonId, amount: 100_00, currency: "CNY" });
    expect(of(step("submitted", "pending", 1))?.data.kind).toBe("claim-submitted");
    const decided = of(step("approved", "pending", 2));
    expect(decided).toMatchObject({ personId: "liu-yang", causeId: "claim-step#c-1#2" });
    expect(personalMessage(one(decided).data, "en").text).toBe(
      "Innovation fund claim c-1 was approved by one approver and awaits a second.",
    );
    expect(of(step("withdrawn", "withdrawn", 3))).toBeUndefined();
  });
});

describe("channels and messages", () => {
  const robot = (kinds: Channel["kinds"]): Channel => ({
    channelId: "sales-group",
    kind: "dingtalk-robot",
    kinds,
    sealed: "",
    language: "zh",
    active: true,
    updatedAt: "",
  });
  const [awardNotice] = noticesOfEntries([entry({ amount: 80 })], settings);
  const [penaltyNotice] = noticesOfEntries([entry({ kind: "deduction", amount: 5 })], settings);

  it("sends a group robot recognition only, and nothing but the name", () => {
    expect(deliveriesOf(one(penaltyNotice), [robot(["penalty", "award"])], false)).toEqual([]);
    const [delivery] = deliveriesOf(one(awardNotice), [robot(["award"])], false);
    expect(delivery?.channelId).toBe("sales-group");
    expect(groupLine(one(awardNotice), "刘洋", "zh")).toBe("👏 刘洋 获得一项奖励");
  });

  it("gives a delivery an id that is the same on every replay and different per channel", () => {
    const once = deliveriesOf(one(awardNotice), [robot(["award"])], true);
    const again = deliveriesOf(one(awardNotice), [robot(["award"])], true);
    expect(once.map((d) => d.deliveryId)).toEqual(again.map((d) => d.deliveryId));
    expect(once.map((d) => d.channelId)).toEqual([personChannel, "sales-group"]);
    expect(new Set(once.map((d) => d.deliveryId)).size).toBe(2);
  });
});

describe("quiet hours and backoff", () => {
  const preferences = { language: "zh" as const, quietHours: { from: "22:00", until: "08:00" }, optOut: [] };

  it("holds a message in quiet hours until they end, across midnight, in the company's time zone", () => {
    // 23:30 in Shanghai is 15:30 UTC.
    expect(quietUntil(preferences, new Date("2026-12-01T15:30:00Z"), "Asia/Shanghai")?.toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(quietUntil(preferences, new Date("2026-12-01T04:00:00Z"), "Asia/Shanghai")).toBeUndefined();
  });

  it("backs off exponentially from 30 s to at most 6 h, and retries for more than a day before giving up", () => {
    expect([1, 2, 3].map(backoffSeconds)).toEqual([firstRetrySeconds, 60, 120]);
    expect(backoffSeconds(30)).toBe(6 * 60 * 60);
    let waited = 0;
    let attempts = 0;
    while (waited < retryForSeconds) waited += backoffSeconds(++attempts);
    expect(attempts).toBe(13);
  });
});
