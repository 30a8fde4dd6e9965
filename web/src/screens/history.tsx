/**
 * 记录 history, as a bank app shows it: newest first, a header per day (Asia/Shanghai), one row
 * per cause (an event's coins and points together), amounts that never wrap; ids, rules and
 * sources only when the row is tapped open.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { type Answer, ApiError, type BadgeView, cached, type LedgerEntry, request, useGeneration, useResource } from "../api.ts";
import { historyFirstPage, historyPageSize, ledgerPath } from "../early.ts";
import { amountWords, dayKey, dayLabel, provenance, signedAmount, timeLabel } from "../format.ts";
import type { Lang } from "../i18n.ts";
import { ErrorView, LoadMore, Skeleton, useApp } from "../ui.tsx";

type Page = Answer<"ledger">;
type Held = NonNullable<Page["held"]>[number];

/** Entries that one cause wrote together: same moment, same actor, same words. */
export interface Row {
  key: string;
  title: string;
  kind: string;
  entries: LedgerEntry[];
}

export const titleOf = (lang: Lang, entry: LedgerEntry) => entry.explained?.[lang] ?? entry.reason;

const actorKey = (entry: LedgerEntry) =>
  entry.actor.kind === "source" ? `${entry.actor.sourceId}/${entry.actor.eventId}` : entry.actor.personId;

/** Coins, then points, then badges: the order of the amounts in a row. */
const assetOrder = (entry: LedgerEntry) => ["coin", "point", "badge", "money"].indexOf(entry.asset.split(":")[0] ?? "");

export function rowsOf(lang: Lang, entries: readonly LedgerEntry[]): Row[] {
  const rows: Row[] = [];
  for (const entry of entries) {
    const title = titleOf(lang, entry);
    const last = rows[rows.length - 1];
    const first = last?.entries[0];
    if (
      last &&
      first &&
      first.recordedAt === entry.recordedAt &&
      actorKey(first) === actorKey(entry) &&
      last.title === title &&
      first.kind === entry.kind
    ) {
      last.entries.push(entry);
    } else rows.push({ key: entry.entryId, title, kind: entry.kind, entries: [entry] });
  }
  return rows;
}

function useLedger(personId: string) {
  const fresh = useGeneration();
  // The first page as last seen on this device, if any, while the newest is asked for.
  const [kept] = useState(() => cached<Page>(ledgerPath(personId, historyFirstPage)));
  const [entries, setEntries] = useState<LedgerEntry[]>(kept?.entries ?? []);
  const [held, setHeld] = useState<Held[]>(kept?.held ?? []);
  const [cursor, setCursor] = useState<string | null | undefined>(kept?.cursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const load = async (after: string | undefined) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await request<Page>(ledgerPath(personId, after ? historyPageSize : historyFirstPage, after));
      setEntries((before) => (after ? [...before, ...page.entries] : page.entries));
      if (!after) setHeld(page.held ?? []);
      setCursor(page.cursor);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    } finally {
      setLoading(false);
    }
  };
  // A refresh asks for the newest page again and keeps what is shown until it comes.
  useEffect(() => {
    void load(undefined);
  }, [personId, fresh]);
  return { entries, held, cursor, loading, error, load };
}

export function HistoryScreen({ personId }: { personId: string }) {
  const { t, lang } = useApp();
  const badges = useResource<{ badges: BadgeView[] }>("/badges");
  const { entries, held, cursor, loading, error, load } = useLedger(personId);
  const sentinel = useRef<HTMLDivElement>(null);

  // Infinite scroll: the next page loads when the end of the list comes into view.
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !cursor || loading || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((seen) => {
      if (seen.some((s) => s.isIntersecting)) void load(cursor);
    });
    observer.observe(node);
    return () => observer.disconnect();
  });

  if (error && entries.length === 0) return <ErrorView error={error} retry={() => void load(undefined)} />;
  if (cursor === undefined) return <Skeleton lines={6} />;
  if (entries.length === 0 && held.length === 0) return <p class="card empty">{t.historyEmpty}</p>;

  const reversed = new Set(entries.flatMap((e) => (e.reverses ? [e.reverses] : [])));
  const days: { key: string; rows: Row[] }[] = [];
  for (const row of rowsOf(lang, entries)) {
    const key = dayKey((row.entries[0] as LedgerEntry).recordedAt);
    const last = days[days.length - 1];
    if (last?.key === key) last.rows.push(row);
    else days.push({ key, rows: [row] });
  }
  return (
    <>
      {held.length > 0 && <HeldAwards held={held} />}
      {days.map((day) => (
        <section key={day.key} class="day" aria-label={dayLabel(lang, t, day.key)}>
          <h2 class="day-head">{dayLabel(lang, t, day.key)}</h2>
          <ul class="card entries">
            {day.rows.map((row) => (
              <HistoryRow
                key={row.key}
                row={row}
                reversed={row.entries.every((e) => reversed.has(e.entryId))}
                badges={badges.data?.badges}
              />
            ))}
          </ul>
        </section>
      ))}
      {error && <ErrorView error={error} retry={() => void load(cursor ?? undefined)} />}
      {cursor ? <LoadMore sentinel={sentinel} busy={loading} onMore={() => void load(cursor)} /> : <p class="end">{t.historyEnd}</p>}
    </>
  );
}

function HistoryRow({ row, reversed, badges }: { row: Row; reversed: boolean; badges: readonly BadgeView[] | undefined }) {
  const { t, lang } = useApp();
  const first = row.entries[0] as LedgerEntry;
  // What a tap opens is made on the first tap (then kept): a page of rows shows sooner without it.
  // The tap itself, not only the toggle event after it, so that it is there when the row opens.
  const [opened, setOpened] = useState(false);
  return (
    <li class={`entry kind-${row.kind}${reversed ? " is-reversed" : ""}`}>
      <details class="entry-details" onToggle={(e) => e.currentTarget.open && setOpened(true)}>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a summary is interactive; Enter and Space on it fire this click too */}
        <summary class="entry-row" onClick={() => setOpened(true)}>
          <span class="entry-main">
            <span class="entry-reason">
              {row.kind !== "award" && <span class={`tag tag-${row.kind}`}>{t.kinds[row.kind] ?? row.kind}</span>}
              {reversed && <span class="tag tag-reversed">{t.reversed}</span>}
              {row.title}
            </span>
            <time class="entry-time" dateTime={first.recordedAt}>
              {timeLabel(lang, first.recordedAt)}
            </time>
          </span>
          <span class="entry-side">
            {[...row.entries]
              .sort((a, b) => assetOrder(a) - assetOrder(b))
              .map((entry) => (
                <span key={entry.entryId} class={`amount${signedAmount(entry) < 0 ? " minus" : ""}`}>
                  {amountWords(lang, t, entry)}
                </span>
              ))}
          </span>
        </summary>
        {opened && <RowDetails row={row} badges={badges} />}
      </details>
    </li>
  );
}

/** A row opened: the ledger's own words when the reader's differ, the rule or source, who, the ids. */
function RowDetails({ row, badges }: { row: Row; badges: readonly BadgeView[] | undefined }) {
  const { t, lang, people } = useApp();
  const nameOf = (id: string) => people?.find((p) => p.personId === id)?.name;
  const lines = [...new Set(row.entries.flatMap((e) => provenance(lang, t, e, nameOf, badges)))];
  const notes = [...new Set(row.entries.filter((e) => e.explained && e.reason !== e.explained.zh).map((e) => e.reason))];
  return (
    <div class="entry-more">
      {notes.map((note) => (
        <p key={note}>{t.note(note)}</p>
      ))}
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <p class="entry-ids">{row.entries.map((e) => e.entryId).join(" · ")}</p>
    </div>
  );
}

/** Awards kept while a review holds the person: 待审核 until it is decided, or why they were rejected. */
function HeldAwards({ held }: { held: readonly Held[] }) {
  const { t, lang } = useApp();
  return (
    <section class="day" aria-label={t.heldTitle}>
      <h2 class="day-head">{t.heldTitle}</h2>
      <ul class="card entries">
        {held.map((award) => (
          <li key={`${award.sourceId}/${award.eventId}`} class={`entry held-${award.status}`}>
            <span class="entry-row">
              <span class="entry-main">
                <span class="entry-reason">
                  <span class={`tag tag-status-${award.status === "rejected" ? "rejected" : "pending"}`}>
                    {award.status === "rejected" ? t.fund.status.rejected : t.heldTitle}
                  </span>
                  {award.status === "rejected" && award.settled ? t.heldRejected(award.settled.reason) : t.heldNote}
                </span>
                <time class="entry-time" dateTime={award.heldAt}>
                  {timeLabel(lang, award.heldAt)}
                </time>
              </span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
