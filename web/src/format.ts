/** Numbers, days in the company's time zone, and ledger entries in words. */
import type { BadgeView, LedgerEntry } from "./api.ts";
import { capabilityName, type Dict, type Lang } from "./i18n.ts";

export const timeZone = "Asia/Shanghai";

const locale = (lang: Lang) => (lang === "zh" ? "zh-CN" : "en-US");

/**
 * Formatters made once per language and kind: making one (ICU data, the time zone) costs far more
 * than formatting with it, and 记录 formats a few per row; on a slow phone that is most of the
 * time between the answer and the first row.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function formatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  const kept = formatters.get(key) as T | undefined;
  if (kept) return kept;
  const made = make();
  formatters.set(key, made);
  return made;
}

export const number = (lang: Lang, n: number) => formatter(`n-${lang}`, () => new Intl.NumberFormat(locale(lang))).format(n);

/** Money is kept in minor units (fen for CNY). */
export const money = (lang: Lang, minor: number, currency: string) =>
  (minor / 100).toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { style: "currency", currency });

/** YYYY-MM-DD of an instant, in Asia/Shanghai. */
export const dayKey = (iso: string | Date) =>
  formatter("day-key", () => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })).format(
    typeof iso === "string" ? new Date(iso) : iso,
  );

const dateFormat = (lang: Lang, kind: string, options: Intl.DateTimeFormatOptions) =>
  formatter(`${kind}-${lang}`, () => new Intl.DateTimeFormat(locale(lang), { timeZone, ...options }));

export function dayLabel(lang: Lang, t: Dict, key: string, now = new Date()): string {
  if (key === dayKey(now)) return t.today;
  if (key === dayKey(new Date(now.getTime() - 86_400_000))) return t.yesterday;
  const date = new Date(`${key}T12:00:00+08:00`);
  const sameYear = key.slice(0, 4) === dayKey(now).slice(0, 4);
  return dateFormat(lang, sameYear ? "day" : "day-year", {
    month: "long",
    day: "numeric",
    weekday: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(date);
}

export const dateLabel = (lang: Lang, iso: string) =>
  dateFormat(lang, "date", { year: "numeric", month: "long", day: "numeric" }).format(new Date(iso));

export const timeLabel = (lang: Lang, iso: string) =>
  dateFormat(lang, "time", { hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(iso));

export const badgeName = (lang: Lang, badges: readonly BadgeView[] | undefined, badgeId: string, level?: number) => {
  const badge = badges?.find((b) => b.id === badgeId);
  if (!badge) return level === undefined ? badgeId : `${badgeId} · ${level}`;
  const levelName = level === undefined ? undefined : badge.definition.levels.find((l) => l.level === level)?.name[lang];
  return levelName ? `${badge.definition.name[lang]} · ${levelName}` : badge.definition.name[lang];
};

/** What an asset is, in words: coins, points of a capability, a badge level, money. */
export function assetWords(lang: Lang, t: Dict, asset: string, badges: readonly BadgeView[] | undefined): string {
  const [kind, a, b] = asset.split(":");
  if (kind === "coin") return t.coinsShort;
  if (kind === "point") return `${t.points} · ${capabilityName(lang, a ?? "")}`;
  if (kind === "badge") return t.badgeAsset(badgeName(lang, badges, a ?? "", Number(b)));
  if (kind === "money") return a ?? "";
  return asset;
}

/** The signed amount for the person whose chain the entry is in. */
export function signedAmount(entry: LedgerEntry): number {
  if (entry.to === entry.holder) return entry.amount;
  if (entry.from === entry.holder) return -entry.amount;
  return 0;
}

/** The amount as a bank app shows it, short enough never to wrap: "+20 金币", "+10 智慧点", "+1 勋章". */
export function amountWords(lang: Lang, t: Dict, entry: LedgerEntry): string {
  const signed = signedAmount(entry);
  const sign = signed > 0 ? "+" : signed < 0 ? "−" : "";
  if (entry.asset.startsWith("badge:")) return `${sign}1 ${t.badgeShort}`;
  if (entry.asset.startsWith("point:")) return `${sign}${number(lang, Math.abs(signed))} ${t.points}`;
  if (entry.asset.startsWith("money:")) return `${sign}${money(lang, Math.abs(signed), entry.asset.slice("money:".length))}`;
  return `${sign}${number(lang, Math.abs(signed))} ${t.coinsShort}`;
}

/** Why an entry exists, beyond its reason: the rule, or the source and event, and who did it. */
export function provenance(
  lang: Lang,
  t: Dict,
  entry: LedgerEntry,
  nameOf: (personId: string) => string | undefined,
  badges: readonly BadgeView[] | undefined,
): string[] {
  const lines: string[] = [];
  if (/^(point|badge):/.test(entry.asset)) lines.push(assetWords(lang, t, entry.asset, badges));
  if (entry.rule) lines.push(t.rule(entry.rule.ruleId, entry.rule.version));
  if (entry.actor.kind === "source") lines.push(t.source(entry.actor.sourceId, entry.actor.eventId));
  else {
    const name = nameOf(entry.actor.personId);
    lines.push(t.by(name ? `${name} (${entry.actor.personId})` : entry.actor.personId));
  }
  if (entry.reverses) lines.push(t.reverses(entry.reverses));
  if (entry.grantedWith) {
    const [, id, level] = entry.grantedWith.split(":");
    lines.push(`${t.withBadge} · ${badgeName(lang, badges, id ?? "", Number(level))}`);
  }
  if (entry.category && entry.kind === "deduction") lines.push(t.category(entry.category));
  if (dayKey(entry.occurredAt) !== dayKey(entry.recordedAt)) lines.push(t.occurred(dateLabel(lang, entry.occurredAt)));
  return lines;
}
