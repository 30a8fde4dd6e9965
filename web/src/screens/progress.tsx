/** 晋升 progress: the next promotion gate of the person's tier, each criterion as a progress bar with what is missing. */
import { type Answer, type BadgeView, type GateRef, type Localized, useResource } from "../api.ts";
import { badgeName, dateLabel, number } from "../format.ts";
import { capabilityName, type Dict, type Lang } from "../i18n.ts";
import { ErrorView, Skeleton, useApp } from "../ui.tsx";

type GateResult = Answer<"eligibility">;
type CriterionResult = GateResult["criteria"][number];
/** A rule as GET /rules lists it: how coins and points are earned. */
type RuleView = Answer<"rules">["rules"][number];

/** The real value behind a criterion (beyond the requirement too), from the answer's `actual` ("150 points", "level 2"). */
const actualOf = (r: CriterionResult, target: number) => {
  const value = /-?\d+(?:\.\d+)?/.exec(r.actual)?.[0];
  return value === undefined ? target - r.gap : Number(value);
};

/** What follows a measure's number, as its gate defines it ("%", " 门"); nothing for gates defined before units. */
const unitOf = (lang: Lang, unit: "percent" | Localized | undefined) =>
  unit === undefined ? "" : unit === "percent" ? "%" : ` ${unit[lang]}`;

/** What a criterion asks, how far the person is (current of target) and what is missing, in words. */
function explain(lang: Lang, t: Dict, r: CriterionResult, badges: readonly BadgeView[] | undefined) {
  const c = r.criterion;
  switch (c.kind) {
    case "points":
      return {
        title: t.gate.points(number(lang, c.atLeast)),
        target: c.atLeast,
        current: actualOf(r, c.atLeast),
        missing: t.gate.morePoints(r.gap),
        earn: { capability: undefined },
      };
    case "capabilityPoints": {
      // actual is "tool-operation 80, efficient-execution 40, …": one bar per capability, each with its own gap.
      const parts = r.actual.split(", ").map((p) => {
        const at = p.lastIndexOf(" ");
        return { capability: p.slice(0, at), points: Number(p.slice(at + 1)) || 0 };
      });
      const short = parts.filter((p) => p.points < c.atLeastEach);
      return {
        title: t.gate.eachCapability(number(lang, c.atLeastEach)),
        target: c.atLeastEach,
        parts: parts.map((p) => ({ label: capabilityName(lang, p.capability), current: p.points, capability: p.capability })),
        missing: short
          .map((p) => t.gate.moreIn(capabilityName(lang, p.capability), c.atLeastEach - p.points))
          .join(lang === "zh" ? "；" : "; "),
        earn: { capabilities: short.map((p) => p.capability) },
      };
    }
    case "badge":
      return {
        title: t.gate.badge(badgeName(lang, badges, c.badgeId), c.minLevel),
        target: c.minLevel,
        current: actualOf(r, c.minLevel),
        missing: t.gate.moreLevels(r.gap),
        badgeId: c.badgeId,
      };
    case "measure": {
      const unit = unitOf(lang, c.unit);
      return {
        title: t.gate.measure(c.label?.[lang] ?? c.field, `${number(lang, c.atLeast)}${unit}`),
        target: c.atLeast,
        unit,
        current: r.actual === "not reported" ? 0 : actualOf(r, c.atLeast),
        missing: r.actual === "not reported" ? t.gate.notReported : t.gate.more(`${number(lang, r.gap)}${unit}`),
      };
    }
    case "noPenalty":
      return { title: t.gate.noPenalty(c.withinDays), missing: t.gate.penalised };
    case "tierTenure":
      return { title: t.gate.tenure(c.months), target: c.months, current: c.months - r.gap, missing: t.gate.moreMonths(r.gap) };
  }
}

/** A named progress bar that shows the real value, beyond the target too ("150 / 100"). */
export function Bar({
  current,
  target,
  label,
  unit = "",
  labelShown = true,
}: {
  current: number;
  target: number;
  label: string;
  unit?: string;
  /** A bar under a heading that already says what it measures names itself for screen readers only. */
  labelShown?: boolean;
}) {
  const { lang } = useApp();
  const shown = Math.max(0, current);
  const text = `${number(lang, shown)}${unit} / ${number(lang, target)}${unit}`;
  return (
    <span
      class="bar"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={Math.max(target, shown)}
      aria-valuenow={shown}
      aria-valuetext={text}
      aria-label={label}
    >
      <span class="bar-text">
        <span class={labelShown ? "bar-label" : "sr-only"}>{label}</span>
        <span class="bar-value">{text}</span>
      </span>
      <span class="bar-track">
        <span class={shown >= target ? "bar-fill full" : "bar-fill"} style={{ width: `${Math.min(100, (100 * shown) / target)}%` }} />
      </span>
    </span>
  );
}

/** How to earn what a criterion misses: the rules that award points of the capability (or any). */
function HowToEarn({ rules, capabilities }: { rules: readonly RuleView[]; capabilities: readonly (string | undefined)[] }) {
  const { t, lang } = useApp();
  const useful = rules.filter((r) => r.award.points && capabilities.some((c) => c === undefined || c === r.award.points?.capability));
  if (useful.length === 0) return null;
  return (
    <div class="earn">
      <p class="hint">{t.howToEarn}</p>
      <ul>
        {useful.slice(0, 4).map((r) => (
          <li key={r.ruleId}>
            {r.name[lang]}
            <span class="earn-award">
              +{number(lang, r.award.points?.amount ?? 0)} {capabilityName(lang, r.award.points?.capability ?? "")}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const eligibilityPath = (personId: string, gate: GateRef) =>
  `/people/${encodeURIComponent(personId)}/eligibility?${new URLSearchParams({ gate: gate.id })}`;

/** On 我的: how far I am to my next gate, and the way to see what to do. */
export function ProgressCard({ tier }: { tier: string }) {
  const { t, lang, session, gates } = useApp();
  const gate = gates?.find((g) => g.definition.tier === tier);
  const result = useResource<GateResult>(gate ? eligibilityPath(session.personId, gate) : undefined);
  if (!gate || !result.data) return null;
  const met = result.data.criteria.filter((c) => c.met).length;
  const total = result.data.criteria.length;
  return (
    <a class="card progress-card" href="#/progress">
      <span class="hint">{t.gate.next}</span>
      <strong>{gate.definition.name[lang]}</strong>
      <Bar current={met} target={total} label={t.gate.criteriaMet} />
      <span class="cta">{result.data.eligible ? t.gate.eligibleNext : t.gate.seeWhatToDo}</span>
    </a>
  );
}

export function ProgressScreen({ gate }: { gate: GateRef | undefined }) {
  const { t, lang, session } = useApp();
  const badges = useResource<{ badges: BadgeView[] }>("/badges");
  const rules = useResource<{ rules: RuleView[] }>("/rules");
  const result = useResource<GateResult>(gate ? eligibilityPath(session.personId, gate) : undefined);
  if (!gate) return <p class="card empty">{t.gate.noGate}</p>;
  if (result.error) return <ErrorView error={result.error} retry={result.reload} />;
  if (!result.data) return <Skeleton lines={6} />;
  const r = result.data;
  const missing = r.criteria.filter((c) => !c.met).length;
  return (
    <>
      <section class={`card gate-head${r.eligible ? " eligible" : ""}`}>
        <p class="hint">{t.gate.next}</p>
        <h2>{gate.definition.name[lang]}</h2>
        <p class={r.eligible ? "status held" : "status"}>{r.eligible ? t.gate.eligible : t.gate.missing(missing, r.criteria.length)}</p>
        {r.eligible && <p class="next-step">{t.gate.whatNext}</p>}
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
                : "target" in e &&
                  e.target !== undefined && (
                    <Bar current={e.current ?? 0} target={e.target} label={e.title} unit={"unit" in e ? e.unit : ""} labelShown={false} />
                  )}
              {!c.met && <p class="missing">{e.missing}</p>}
              {!c.met && "earn" in e && e.earn && rules.data && (
                <HowToEarn rules={rules.data.rules} capabilities={"capabilities" in e.earn ? e.earn.capabilities : [undefined]} />
              )}
              {!c.met && "badgeId" in e && e.badgeId && (
                <a class="link" href={`#/badges/${encodeURIComponent(e.badgeId)}`}>
                  {t.gate.seeBadge}
                </a>
              )}
            </li>
          );
        })}
      </ol>
    </>
  );
}
