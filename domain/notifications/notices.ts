/**
 * What deserves telling a person, read from what the ledger table records: a badge level, an
 * award above a threshold, a penalty, a fund claim's steps and payouts, a redemption; and a
 * promotion gate met for the first time (gate-notices.ts). Each notice
 * carries the id of its cause, so that writing it once per cause (the outbox's condition) makes
 * every replay of a stream batch a no-op. Pure: the entries and claim steps come in as values.
 */

import type { ClaimStep } from "../fund/index.ts";
import type { PersonId } from "../kernel/model.ts";
import type { LedgerEntry, Names } from "../ledger/index.ts";

export const noticeKinds = [
  "badge",
  "award",
  "gate-met",
  "penalty",
  "claim-submitted",
  "claim-decided",
  "claim-paid",
  "claim-clawed-back",
  "redemption-placed",
  "redemption-cancelled",
  "review-opened",
  "award-held",
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/** The five colours of graded warnings (五色预警); a penalty of another category has none. */
export const warningColours = ["red", "orange", "yellow", "blue", "green"] as const;
export type WarningColour = (typeof warningColours)[number];

export type NoticeData =
  | { kind: "badge"; badgeId: string; level: number; badge: Names; levelName: Names }
  | { kind: "award"; coins: number; points: number }
  | { kind: "gate-met"; gateId: string; version: number; gate: Names; targetGrade: string }
  | { kind: "penalty"; category: string; colour?: WarningColour; coins: number; points: number; reason: string }
  | { kind: "claim-submitted"; claimId: string; amount: number; currency: string }
  | { kind: "claim-decided"; claimId: string; decision: "approved" | "rejected"; status: string }
  | { kind: "claim-paid" | "claim-clawed-back"; claimId: string; scenario: string; amount: number; currency: string }
  | { kind: "redemption-placed" | "redemption-cancelled"; reward: Names; quantity: number; coins: number }
  // To approvers (approver-notices.ts): `link` is the API path where they decide it.
  | { kind: "review-opened"; flagId: string; detector: string; people: string[]; explained: { zh: string; en: string }; link: string }
  | { kind: "award-held"; budgetId: string; personId: string; sourceId: string; eventId: string; link: string };

export interface Notice {
  personId: PersonId;
  /** Unique per person and cause: the outbox writes a notice with this id once, ever. */
  causeId: string;
  /** When the ledger recorded the cause: the notice's time, and its place in the person's list. */
  at: string;
  data: NoticeData;
}

export interface NoticeSettings {
  /** An award is worth telling when it grants at least this many coins or points. */
  awardAtLeast: number;
}

/** A claim step, and the claimant the step is about (a decision's actor is the approver). */
export interface ClaimStepNotice {
  step: ClaimStep;
  claimant: PersonId;
  amount: number;
  currency: string;
}

const personOf = (holder: string): PersonId | undefined => (holder.startsWith("person:") ? (holder.slice(7) as PersonId) : undefined);
const actorKey = (entry: LedgerEntry) =>
  entry.actor.kind === "source" ? `${entry.actor.sourceId}:${entry.actor.eventId}` : `person:${entry.actor.personId}`;

/**
 * The entries one write appended to a person's chain: one transaction gives them one recordedAt
 * and one actor, and an event of a source is one write per person. A stream batch may cut a write
 * in two; both halves then share the cause id, and the first half told decides what is said.
 */
function writesOf(entries: readonly LedgerEntry[]): LedgerEntry[][] {
  const groups = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const key = `${entry.holder}#${entry.recordedAt}#${actorKey(entry)}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()];
}

const sum = (entries: readonly LedgerEntry[], test: (e: LedgerEntry) => boolean) =>
  entries.filter(test).reduce((total, e) => total + e.amount, 0);
const isCoin = (e: LedgerEntry) => e.asset === "coin";
const isPoint = (e: LedgerEntry) => e.asset.startsWith("point:");

function colourOf(category: string): WarningColour | undefined {
  const colour = /^(red|orange|yellow|blue|green)-warning$/.exec(category)?.[1];
  return colour as WarningColour | undefined;
}

/** The notices of one write to one person's chain. */
function noticesOfWrite(personId: PersonId, write: LedgerEntry[], settings: NoticeSettings): Notice[] {
  const first = write[0] as LedgerEntry;
  const at = first.recordedAt;
  const writeId = `${at}#${actorKey(first)}`;
  const notices: Notice[] = [];
  for (const entry of write) {
    const cause = entry.cause;
    if (cause?.code === "badge" && entry.to === first.holder) {
      const { badgeId, level, badge, levelName } = cause.params;
      // A level is held once at a time, but a retracted one may be earned again: the entry is the cause.
      const causeId = `badge#${badgeId}#${level}#${entry.seq}`;
      notices.push({ personId, causeId, at, data: { kind: "badge", badgeId, level, badge, levelName } });
    }
    if (cause?.code === "redemption" && entry.kind === "redemption") {
      const data = {
        kind: "redemption-placed" as const,
        reward: cause.params.reward,
        quantity: cause.params.quantity,
        coins: entry.amount,
      };
      notices.push({ personId, causeId: `redemption#${entry.entryId}`, at, data });
    }
    if (cause?.code === "redemption-cancelled" && entry.reverses) {
      const data = {
        kind: "redemption-cancelled" as const,
        reward: cause.params.reward,
        quantity: cause.params.quantity,
        coins: entry.amount,
      };
      notices.push({ personId, causeId: `redemption-cancelled#${entry.reverses}`, at, data });
    }
  }
  const fund = write.find((e) => e.cause?.code === "fund-payout" || e.cause?.code === "fund-clawback");
  if (fund?.cause && (fund.cause.code === "fund-payout" || fund.cause.code === "fund-clawback")) {
    const kind = fund.cause.code === "fund-payout" ? ("claim-paid" as const) : ("claim-clawed-back" as const);
    const { claimId, scenario } = fund.cause.params;
    const currency = fund.asset.startsWith("money:") ? fund.asset.slice(6) : fund.asset;
    const amount = sum(write, (e) => e.asset === fund.asset && e.cause?.code === fund.cause?.code);
    notices.push({ personId, causeId: `${kind}#${claimId}`, at, data: { kind, claimId, scenario, amount, currency } });
  }
  // Coins and points that come with a badge level are told with the badge.
  const awarded = write.filter((e) => e.kind === "award" && e.to === first.holder && !e.grantedWith && !e.mirrorOf);
  const coins = sum(awarded, isCoin);
  const points = sum(awarded, isPoint);
  if (Math.max(coins, points) >= settings.awardAtLeast) {
    notices.push({ personId, causeId: `award#${writeId}`, at, data: { kind: "award", coins, points } });
  }
  const deducted = write.filter((e) => e.kind === "deduction");
  const deduction = deducted[0];
  if (deduction) {
    const category = deduction.category ?? "penalty";
    const colour = colourOf(category);
    notices.push({
      personId,
      causeId: `penalty#${writeId}`,
      at,
      data: {
        kind: "penalty",
        category,
        ...(colour ? { colour } : {}),
        coins: sum(deducted, isCoin),
        points: sum(deducted, isPoint),
        reason: deduction.reason,
      },
    });
  }
  return notices;
}

/** The notices that entries appended to people's chains give; other chains' entries give none. */
export function noticesOfEntries(entries: readonly LedgerEntry[], settings: NoticeSettings): Notice[] {
  return writesOf(entries).flatMap((write) => {
    const personId = personOf((write[0] as LedgerEntry).holder);
    return personId ? noticesOfWrite(personId, write, settings) : [];
  });
}

/**
 * The notice of a claim's history step, to its claimant: submitted, or decided (an approval, also
 * the first of two, or a rejection). Payouts and clawbacks are told to each member from their
 * own chain's entries instead; a withdrawal is the claimant's own act.
 */
export function noticeOfClaimStep({ step, claimant, amount, currency }: ClaimStepNotice): Notice | undefined {
  const causeId = `claim-step#${step.claimId}#${step.step}`;
  if (step.action === "submitted") {
    return { personId: claimant, causeId, at: step.at, data: { kind: "claim-submitted", claimId: step.claimId, amount, currency } };
  }
  if (step.action === "approved" || step.action === "rejected") {
    const data = { kind: "claim-decided" as const, claimId: step.claimId, decision: step.action, status: step.status };
    return { personId: claimant, causeId, at: step.at, data };
  }
  return undefined;
}
