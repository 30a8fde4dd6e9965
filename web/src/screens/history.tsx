/** 记录 history: the person's ledger, newest first, grouped by day in Asia/Shanghai, each entry saying why. */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type BadgeView, type LedgerEntry, request, useResource } from "../api.ts";
import { amountWords, dayKey, dayLabel, provenance, signedAmount, timeLabel } from "../format.ts";
import { ErrorView, Skeleton, useApp } from "../ui.tsx";

interface Page {
  entries: LedgerEntry[];
  cursor: string | null;
}

const pageSize = 20;

export function HistoryScreen({ personId }: { personId: string }) {
  const { t, lang, people } = useApp();
  const badges = useResource<{ badges: BadgeView[] }>("/badges");
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const sentinel = useRef<HTMLDivElement>(null);

  const load = async (after: string | undefined) => {
    setLoading(true);
    setError(undefined);
    try {
      const query = new URLSearchParams({ limit: String(pageSize), ...(after ? { cursor: after } : {}) });
      const page = await request<Page>(`/people/${encodeURIComponent(personId)}/ledger?${query}`);
      setEntries((before) => (after ? [...before, ...page.entries] : page.entries));
      setCursor(page.cursor);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setEntries([]);
    setCursor(undefined);
    void load(undefined);
  }, [personId]);

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
  if (entries.length === 0) return <p class="card empty">{t.historyEmpty}</p>;

  const reversed = new Set(entries.flatMap((e) => (e.reverses ? [e.reverses] : [])));
  const nameOf = (id: string) => people?.find((p) => p.personId === id)?.name;
  const days: { key: string; entries: LedgerEntry[] }[] = [];
  for (const entry of entries) {
    const key = dayKey(entry.recordedAt);
    const last = days[days.length - 1];
    if (last?.key === key) last.entries.push(entry);
    else days.push({ key, entries: [entry] });
  }
  return (
    <>
      {days.map((day) => (
        <section key={day.key} class="day" aria-label={dayLabel(lang, t, day.key)}>
          <h2 class="day-head">{dayLabel(lang, t, day.key)}</h2>
          <ul class="card entries">
            {day.entries.map((entry) => {
              const signed = signedAmount(entry);
              const isReversed = reversed.has(entry.entryId);
              return (
                <li key={entry.entryId} class={`entry kind-${entry.kind}${isReversed ? " is-reversed" : ""}`}>
                  <div class="entry-main">
                    <p class="entry-reason">
                      {entry.kind !== "award" && <span class={`tag tag-${entry.kind}`}>{t.kinds[entry.kind] ?? entry.kind}</span>}
                      {isReversed && <span class="tag tag-reversed">{t.reversed}</span>}
                      {entry.reason}
                    </p>
                    {provenance(lang, t, entry, nameOf, badges.data?.badges).map((line) => (
                      <p key={line} class="entry-why">
                        {line}
                      </p>
                    ))}
                  </div>
                  <div class="entry-side">
                    <span class={`amount${signed < 0 ? " minus" : ""}`}>{amountWords(lang, t, entry, badges.data?.badges)}</span>
                    <time dateTime={entry.recordedAt}>{timeLabel(lang, entry.recordedAt)}</time>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      {error && <ErrorView error={error} retry={() => void load(cursor ?? undefined)} />}
      {cursor ? (
        <div ref={sentinel} class="more">
          <button type="button" class="button secondary" disabled={loading} onClick={() => void load(cursor)}>
            {loading ? t.loading : t.more}
          </button>
        </div>
      ) : (
        <p class="end">{t.historyEnd}</p>
      )}
    </>
  );
}
