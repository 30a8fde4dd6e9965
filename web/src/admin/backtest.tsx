/**
 * A rule's backtests as an admin reads them on a phone: the list (`#/admin/backtests/<ruleId>`),
 * newest first, each opening its job (`#/admin/backtests/<ruleId>/<backtestId>`): while it runs,
 * its progress and a way to cancel it; when done, per org unit and capability what was awarded
 * against what the draft would have awarded, as bars, then the badge levels and promotion gates
 * gained or lost and the change in coins outstanding.
 */
import { useEffect, useState } from "preact/hooks";
import { type Answer, ApiError, type BadgeView, request, usePaged, useResource } from "../api.ts";
import { badgeName, dateLabel, number, timeLabel } from "../format.ts";
import { capabilityName } from "../i18n.ts";
import { problemWords } from "../problems.ts";
import { Card, ErrorView, LoadMore, Skeleton, useApp } from "../ui.tsx";
import { type AdminWords, adminWords } from "./words.ts";

type Job = Answer<"backtestJob">;
type Report = NonNullable<Job["report"]>;
type Listed = Answer<"backtests">["backtests"][number];

const statusTag = (status: Job["status"]) => `tag tag-status-${status === "done" ? "paid" : status === "running" ? "pending" : "rejected"}`;
const rulePath = (ruleId: string) => `#/admin/backtests/${encodeURIComponent(ruleId)}`;

/** A rule's backtest jobs, newest first, a page at a time; each opens its progress or its chart. */
export function BacktestsScreen({ ruleId }: { ruleId: string }) {
  const { lang, people } = useApp();
  const w = adminWords(lang);
  const list = usePaged<Answer<"backtests">, Listed>(
    `/admin/rules/${encodeURIComponent(ruleId)}/backtests?limit=20`,
    (page) => page.backtests,
  );
  const when = (at: string) => `${dateLabel(lang, at)} ${timeLabel(lang, at)}`;
  const who = (id: string) => people?.find((p) => p.personId === id)?.name ?? id;
  return (
    <Card title={w.backtestsOf(ruleId)} hint={w.backtestsHint}>
      {list.error ? (
        <ErrorView error={list.error} retry={list.reload} />
      ) : !list.items ? (
        <Skeleton lines={3} />
      ) : list.items.length === 0 ? (
        <p class="empty">{w.backtestsEmpty}</p>
      ) : (
        <ul class="entries plain" data-testid="backtests">
          {list.items.map((job) => (
            <li key={job.backtestId} class="entry">
              <a class="entry-row review-link" href={`${rulePath(ruleId)}/${encodeURIComponent(job.backtestId)}`}>
                <span class="entry-main">
                  <span class="entry-reason">{w.span(dateLabel(lang, job.from), dateLabel(lang, job.to))}</span>
                  <span class="entry-why">{w.startedBy(who(job.by), when(job.startedAt))}</span>
                  {job.finishedAt && (
                    <time class="entry-time" dateTime={job.finishedAt}>
                      {w.finishedAt(w.jobStatus[job.status] ?? job.status, when(job.finishedAt))}
                    </time>
                  )}
                </span>
                <span class={statusTag(job.status)}>{job.status === "running" ? `${job.percent}%` : w.jobStatus[job.status]}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {list.loadMore && <LoadMore busy={list.loadingMore} onMore={list.loadMore} />}
    </Card>
  );
}

/** How often a running job is read again: it writes its progress every 2 s. */
const pollMs = 2_000;

export function BacktestScreen({ ruleId, backtestId }: { ruleId: string; backtestId: string }) {
  const { lang } = useApp();
  const w = adminWords(lang);
  const path = `/admin/rules/${encodeURIComponent(ruleId)}/backtests/${encodeURIComponent(backtestId)}`;
  const job = useResource<Job>(path);
  const running = job.data?.status === "running";
  useEffect(() => {
    if (!running || job.loading) return;
    const timer = setTimeout(job.reload, pollMs);
    return () => clearTimeout(timer);
  }, [running, job.loading, job.data]);
  if (job.error && !job.data) return <ErrorView error={job.error} retry={job.reload} />;
  if (!job.data) return <Skeleton lines={5} />;
  const j = job.data;
  return (
    <>
      <section class="card" aria-labelledby="backtest-title">
        <header class="card-head">
          <h2 id="backtest-title">{w.backtestOf(j.ruleId)}</h2>
          <span class={statusTag(j.status)}>{w.jobStatus[j.status]}</span>
        </header>
        <p class="hint">{w.span(dateLabel(lang, j.from), dateLabel(lang, j.to))}</p>
        {j.problem && <p class="notice">{j.problem.detail}</p>}
        {j.status === "running" && <Running job={j} path={path} reload={job.reload} />}
      </section>
      {j.report && <Comparison report={j.report} />}
    </>
  );
}

function Running({ job, path, reload }: { job: Job; path: string; reload: () => void }) {
  const { t, lang } = useApp();
  const w = adminWords(lang);
  const [failure, setFailure] = useState<ApiError | undefined>(undefined);
  const [asked, setAsked] = useState(false);
  const cancel = async () => {
    setAsked(true);
    try {
      await request(path, { method: "DELETE" });
      reload();
    } catch (e) {
      setAsked(false);
      setFailure(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    }
  };
  const cancelling = asked || job.cancelRequested === true;
  return (
    <>
      <div class="bar" role="progressbar" aria-label={w.progress} aria-valuemin={0} aria-valuemax={100} aria-valuenow={job.percent}>
        <span class="bar-text">
          <span class="bar-label">{w.replayed(number(lang, job.eventsReplayed))}</span>
          <span class="bar-value">{job.percent}%</span>
        </span>
        <span class="bar-track">
          <span class="bar-fill" style={{ width: `${job.percent}%` }} />
        </span>
      </div>
      {job.estimateSeconds !== undefined && <p class="hint">{w.estimate(job.estimateSeconds)}</p>}
      {failure && (
        <p class="error-detail" role="alert">
          {problemWords(lang, failure)}
        </p>
      )}
      <div class="row-actions">
        <button type="button" class="button secondary" disabled={cancelling} onClick={() => void cancel()}>
          {cancelling ? w.cancelling : w.cancelRun}
        </button>
      </div>
      <p class="sr-only" aria-live="polite">
        {job.percent}% {t.loading}
      </p>
    </>
  );
}

const signed = (lang: "zh" | "en", n: number) => (n > 0 ? `+${number(lang, n)}` : n < 0 ? `−${number(lang, -n)}` : "0");

function assetName(w: AdminWords, lang: "zh" | "en", asset: string): string {
  const [kind, capability] = asset.split(":");
  return kind === "point" && capability ? w.points(capabilityName(lang, capability)) : kind === "coin" ? w.coins : asset;
}

function Comparison({ report }: { report: Report }) {
  const { lang, orgUnits, gates } = useApp();
  const w = adminWords(lang);
  const badges = useResource<{ badges: BadgeView[] }>("/badges").data?.badges;
  const gateName = (id: string) => gates?.find((g) => g.id === id)?.definition.name[lang] ?? id;
  const unitName = (id: string) => (id === "(none)" ? w.noUnit : (orgUnits?.find((u) => u.orgUnitId === id)?.name ?? id));
  const largest = Math.max(1, ...report.rows.flatMap((r) => [Math.abs(r.actual), Math.abs(r.wouldBe)]));
  const width = (n: number) => `${Math.round((Math.abs(n) / largest) * 100)}%`;
  return (
    <>
      <section class="card" aria-label={w.liability}>
        <div class="figure">
          <span class="figure-label">{w.liability}</span>
          <span class="figure-value" data-testid="liability">
            {signed(lang, report.liabilityChange)}
          </span>
          <span class="figure-hint">{w.counted(number(lang, report.eventsCounted), number(lang, report.eventsReplayed))}</span>
        </div>
      </section>
      <Card title={w.awarded}>
        <p class="legend" aria-hidden="true">
          <span class="swatch swatch-actual" /> {w.actual} <span class="swatch swatch-draft" /> {w.wouldBe}
        </p>
        {report.rows.length === 0 ? (
          <p class="empty">{w.noRows}</p>
        ) : (
          <ul class="compare" data-testid="comparison">
            {report.rows.map((row) => (
              <li key={`${row.orgUnitId}/${row.asset}`} class="compare-row">
                <span class="compare-head">
                  <span>
                    {unitName(row.orgUnitId)} · {assetName(w, lang, row.asset)}
                  </span>
                  <span class={row.change < 0 ? "amount minus" : "amount"}>{signed(lang, row.change)}</span>
                </span>
                <span class="compare-bar">
                  <span class="compare-track" aria-hidden="true">
                    <span class="compare-fill actual" style={{ width: width(row.actual) }} />
                  </span>
                  <span class="compare-value">
                    {w.actual} {number(lang, row.actual)}
                  </span>
                </span>
                <span class="compare-bar">
                  <span class="compare-track" aria-hidden="true">
                    <span class="compare-fill draft" style={{ width: width(row.wouldBe) }} />
                  </span>
                  <span class="compare-value">
                    {w.wouldBe} {number(lang, row.wouldBe)}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={w.badgeChanges}>
        {report.badges.length === 0 ? (
          <p class="empty">{w.none}</p>
        ) : (
          <ul class="entries plain" data-testid="badge-changes">
            {report.badges.map((b) => (
              <li key={`${b.orgUnitId}/${b.badgeId}/${b.level}`} class="entry compare-line">
                <span>
                  {unitName(b.orgUnitId)} · {badgeName(lang, badges, b.badgeId, b.level)} · {w.peopleChange(b.actual, b.wouldBe)}
                </span>
                <span class={b.change < 0 ? "amount minus" : "amount"}>{signed(lang, b.change)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={w.gateChanges}>
        {report.gates.length === 0 ? (
          <p class="empty">{w.none}</p>
        ) : (
          <ul class="entries plain" data-testid="gate-changes">
            {report.gates.map((g) => (
              <li key={`${g.orgUnitId}/${g.gateId}`} class="entry compare-line">
                <span>
                  {unitName(g.orgUnitId)} · {gateName(g.gateId)}
                </span>
                <span>
                  {w.newlyMeeting(g.newlyMeeting)} · {w.newlyMissing(g.newlyMissing)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
