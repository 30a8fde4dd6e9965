/** 晋升 progress: the next promotion gate of the person's tier, each criterion as a progress bar with what is missing. */
import { type BadgeView, type GateRef, type Localized, useResource } from "../api.ts";
import { badgeName, dateLabel, number } from "../format.ts";
import { capabilityName, type Dict, type Lang } from "../i18n.ts";
import { ErrorView, Skeleton, useApp } from "../ui.tsx";

type GateCriterion =
  | { kind: "points"; atLeast: number }
  | { kind: "capabilityPoints"; capabilities: "tier" | string[]; atLeastEach: number }
  | { kind: "badge"; badgeId: string; minLevel: number }
  | { kind: "measure"; field: string; atLeast: number; label?: Localized }
  | { kind: "noPenalty"; withinDays: number; categories?: string[] }
  | { kind: "tierTenure"; months: number };

interface CriterionResult {
  criterion: GateCriterion;
  met: boolean;
  required: string;
  actual: string;
  gap: number;
}

interface GateResult {
  gate: { gateId: string; version: number };
  eligible: boolean;
  at: string;
  criteria: CriterionResult[];
}

/** What a criterion asks, how far the person is (current of target) and what is missing, in words. */
function explain(lang: Lang, t: Dict, r: CriterionResult, badges: readonly BadgeView[] | undefined) {
  const c = r.criterion;
  switch (c.kind) {
    case "points":
      return {
        title: t.gate.points(number(lang, c.atLeast)),
        target: c.atLeast,
        current: c.atLeast - r.gap,
        missing: t.gate.morePoints(r.gap),
      };
    case "capabilityPoints": {
      // actual is "tool-operation 80, efficient-execution 40, …": one bar per capability.
      const parts = r.actual.split(", ").map((p) => {
        const at = p.lastIndexOf(" ");
        return { capability: p.slice(0, at), points: Number(p.slice(at + 1)) || 0 };
      });
      return {
        title: t.gate.eachCapability(number(lang, c.atLeastEach)),
        target: c.atLeastEach,
        parts: parts.map((p) => ({ label: capabilityName(lang, p.capability), current: p.points })),
        missing: t.gate.morePoints(r.gap),
      };
    }
    case "badge":
      return {
        title: t.gate.badge(badgeName(lang, badges, c.badgeId), c.minLevel),
        target: c.minLevel,
        current: c.minLevel - r.gap,
        missing: t.gate.moreLevels(r.gap),
      };
    case "measure":
      return {
        title: t.gate.measure(c.label?.[lang] ?? c.field, number(lang, c.atLeast)),
        target: c.atLeast,
        current: r.actual === "not reported" ? 0 : c.atLeast - r.gap,
        missing: r.actual === "not reported" ? t.gate.notReported : t.gate.more(number(lang, r.gap)),
      };
    case "noPenalty":
      return { title: t.gate.noPenalty(c.withinDays), missing: t.gate.penalised };
    case "tierTenure":
      return { title: t.gate.tenure(c.months), target: c.months, current: c.months - r.gap, missing: t.gate.moreMonths(r.gap) };
  }
}

function Bar({ current, target, label }: { current: number; target: number; label?: string }) {
  const { lang } = useApp();
  const shown = Math.max(0, current);
  return (
    <span class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={target} aria-valuenow={shown} aria-label={label}>
      <span class="bar-fill" style={{ width: `${Math.min(100, (100 * shown) / target)}%` }} />
      <span class="bar-text">
        {label ? `${label} · ` : ""}
        {number(lang, shown)} / {number(lang, target)}
      </span>
    </span>
  );
}

export function ProgressScreen({ gate }: { gate: GateRef | undefined }) {
  const { t, lang, session } = useApp();
  const query = gate ? new URLSearchParams({ gate: gate.gateId }) : undefined;
  const badges = useResource<{ badges: BadgeView[] }>("/badges");
  const result = useResource<GateResult>(query ? `/people/${encodeURIComponent(session.personId)}/eligibility?${query}` : undefined);
  if (!gate) return <p class="card empty">{t.gate.noGate}</p>;
  if (result.error) return <ErrorView error={result.error} retry={result.reload} />;
  if (!result.data) return <Skeleton lines={6} />;
  const r = result.data;
  const missing = r.criteria.filter((c) => !c.met).length;
  return (
    <>
      <section class={`card gate-head${r.eligible ? " eligible" : ""}`}>
        <p class="hint">{t.gate.next}</p>
        <h2>{gate.name[lang]}</h2>
        <p class={r.eligible ? "status held" : "status"}>{r.eligible ? t.gate.eligible : t.gate.missing(missing, r.criteria.length)}</p>
        <p class="hint">{t.gate.asOf(dateLabel(lang, r.at))}</p>
      </section>
      <ol class="levels">
        {r.criteria.map((c, i) => {
          const e = explain(lang, t, c, badges.data?.badges);
          return (
            <li key={i} class={`card criterion${c.met ? " is-held" : ""}`}>
              <p class="criterion-head">
                <span class={c.met ? "tick met" : "tick"} aria-hidden="true">
                  {c.met ? "✓" : "·"}
                </span>
                <span>{e.title}</span>
                <span class="sr-only">{c.met ? t.gate.met : t.gate.notMet}</span>
              </p>
              {"parts" in e && e.parts
                ? e.parts.map((p) => <Bar key={p.label} current={p.current} target={e.target} label={p.label} />)
                : "target" in e && e.target !== undefined && <Bar current={e.current ?? 0} target={e.target} />}
              {!c.met && <p class="missing">{e.missing}</p>}
            </li>
          );
        })}
      </ol>
    </>
  );
}
