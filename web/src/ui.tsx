/** Shared pieces: the app context, icons, skeletons, errors, choices, paging, the capability radar, medals. */
import type { ComponentChildren, Ref } from "preact";
import { createContext } from "preact";
import { useContext, useEffect, useRef } from "preact/hooks";
import { capabilities, capabilitiesByTier } from "../../domain/kernel/model.ts";
import type { ApiError, DemoPerson, GateRef, OrgUnit } from "./api.ts";
import type { PageConfig, Session } from "./auth.ts";
import { number } from "./format.ts";
import { capabilityName, type Dict, type Lang } from "./i18n.ts";
import { problemWords } from "./problems.ts";

export interface AppContext {
  lang: Lang;
  t: Dict;
  config: PageConfig;
  session: Session;
  /** Names the page knows (demo directory locally), for "who did it". */
  people: readonly DemoPerson[] | undefined;
  orgUnits: readonly OrgUnit[] | undefined;
  /** The gate of each tier (demo directory locally). */
  gates: readonly GateRef[] | undefined;
}

export const App = createContext<AppContext>(undefined as unknown as AppContext);
export const useApp = () => useContext(App);

const paths = {
  me: "M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9Zm-8 9c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5",
  history: "M4 6h16M4 12h16M4 18h10",
  progress: "M4 20V14m6 6V9m6 11V4m4 16H2",
  rank: "M8 21V11H3v10h5Zm0 0h8m0 0V3H8v8m8 10h5v-7h-5",
  fund: "M12 3v18M16.5 6.5C16 5 14.2 4 12 4 9.2 4 7.5 5.4 7.5 7.5 7.5 12.5 17 10 17 15.5c0 2.2-2 3.5-5 3.5-2.5 0-4.4-1-5-3",
  team: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-7 10c0-3.7 3.1-6 7-6s7 2.3 7 6m0-10a3.5 3.5 0 0 0 0-7m6 17c0-3-1.8-5-4.5-5.7",
  rewards: "M3 11h18v4H3zM5 15v6h14v-6M12 11v10M12 11c-2-4-7-4-6-1 .6 1.7 6 1 6 1Zm0 0c2-4 7-4 6-1-.6 1.7-6 1-6 1Z",
  benefits: "M3 11h18v4H3zM5 15v6h14v-6M12 11v10M12 11c-2-4-7-4-6-1 .6 1.7 6 1 6 1Zm0 0c2-4 7-4 6-1-.6 1.7-6 1-6 1Z",
  back: "M15 5l-7 7 7 7",
  out: "M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11",
  bell: "M6 16V11a6 6 0 0 1 12 0v5l2 2H4l2-2Zm4 4a2 2 0 0 0 4 0",
} as const;

export function Icon({ name, size = 22 }: { name: keyof typeof paths; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" class="icon">
      <path d={paths[name]} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

export function Skeleton({ lines = 3, tall = false }: { lines?: number; tall?: boolean }) {
  const { t } = useApp();
  return (
    <div class="card" aria-busy="true">
      <span class="sr-only">{t.loading}</span>
      {tall && <div class="sk sk-block" />}
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class={`sk sk-line${i === lines - 1 ? " sk-short" : ""}`} />
      ))}
    </div>
  );
}

/** A refusal or failure in the reader's language, with its numbers; the API's own words one tap away. */
export function ErrorView({ error, retry }: { error: ApiError; retry?: () => void }) {
  const { t, lang } = useApp();
  const title = error.status === 0 ? t.unreachable : error.status === 403 ? t.refused : error.status === 404 ? t.notFound : t.error;
  return (
    <div class="card error" role="alert">
      <p class="error-title">{title}</p>
      {error.status !== 0 && <p class="error-detail">{problemWords(lang, error)}</p>}
      <ProblemDetails error={error} />
      {retry && error.status !== 403 && error.status !== 404 && (
        <button type="button" class="button" onClick={retry}>
          {t.retry}
        </button>
      )}
    </div>
  );
}

/** A refusal inside a sheet or form: the reader's words, the API's one tap away. */
export function ProblemAlert({ error }: { error: ApiError }) {
  const { lang } = useApp();
  return (
    <div class="card error" role="alert">
      <p class="error-detail">{problemWords(lang, error)}</p>
      <ProblemDetails error={error} />
    </div>
  );
}

/** The API's own words and code, for a screenshot to the help desk. */
export function ProblemDetails({ error }: { error: ApiError }) {
  const { t } = useApp();
  if (error.status === 0) return null;
  const correlation = error.params.correlationId;
  return (
    <details class="problem-more">
      <summary>{t.details}</summary>
      <p>{error.message}</p>
      <p class="hint">
        {error.code} · HTTP {error.status}
        {typeof correlation === "string" ? ` · ${correlation}` : ""}
      </p>
    </details>
  );
}

/**
 * A bottom sheet for a decision (confirm a redemption, approve a claim): modal, focus moved into
 * it, Escape or the backdrop closes it.
 */
export function Sheet({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const { t } = useApp();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    (ref.current?.querySelector<HTMLElement>("[data-autofocus]") ?? ref.current)?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div class="sheet-backdrop">
      <button type="button" class="sheet-scrim" aria-label={t.close} tabIndex={-1} onClick={onClose} />
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="sheet-title" ref={ref} tabIndex={-1}>
        <header class="sheet-head">
          <h2 id="sheet-title">{title}</h2>
          <button type="button" class="icon-button" onClick={onClose} aria-label={t.close}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** One of a few views of a list, as a row of toggles (a fieldset, so screen readers name the choice). */
export function Segmented<V extends string | undefined>({
  legend,
  options,
  value,
  label,
  onChange,
}: {
  legend: string;
  options: readonly V[];
  value: V;
  label: (option: V) => ComponentChildren;
  onChange: (option: V) => void;
}) {
  return (
    <fieldset class="segmented">
      <legend class="sr-only">{legend}</legend>
      {options.map((option) => (
        <button
          key={option ?? ""}
          type="button"
          class={option === value ? "seg active" : "seg"}
          aria-pressed={option === value}
          onClick={() => onChange(option)}
        >
          {label(option)}
        </button>
      ))}
    </fieldset>
  );
}

/** "More" under a list that has another page; `sentinel` lets a screen load it on scroll too. */
export function LoadMore({ busy, onMore, sentinel }: { busy: boolean; onMore: () => void; sentinel?: Ref<HTMLDivElement> }) {
  const { t } = useApp();
  return (
    <div ref={sentinel ?? null} class="more">
      <button type="button" class="button secondary" disabled={busy} onClick={onMore}>
        {busy ? t.loading : t.more}
      </button>
    </div>
  );
}

export function Card({ title, hint, children }: { title?: string; hint?: string; children: ComponentChildren }) {
  return (
    <section class="card">
      {title && (
        <header class="card-head">
          <h2>{title}</h2>
          {hint && <p class="hint">{hint}</p>}
        </header>
      )}
      {children}
    </section>
  );
}

const tierOf = (capability: string) =>
  (Object.keys(capabilitiesByTier) as (keyof typeof capabilitiesByTier)[]).find((tier) =>
    (capabilitiesByTier[tier] as readonly string[]).includes(capability),
  ) ?? "base";

const niceMax = (n: number) => {
  if (n <= 10) return 10;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  const steps = [1, 2, 2.5, 5, 10];
  return (steps.find((s) => s * magnitude >= n) ?? 10) * magnitude;
};

/** The nine-axis capability profile (三阶九力), in inline SVG. */
export function Radar({ byCapability, lang }: { byCapability: Record<string, number>; lang: Lang }) {
  const size = 360;
  const cx = size / 2;
  const cy = 150;
  const r = lang === "en" ? 80 : 96;
  const max = niceMax(Math.max(0, ...capabilities.map((c) => byCapability[c] ?? 0)));
  const angle = (i: number) => -Math.PI / 2 + (i * 2 * Math.PI) / capabilities.length;
  const at = (i: number, radius: number) => [cx + radius * Math.cos(angle(i)), cy + radius * Math.sin(angle(i))] as const;
  const ring = (f: number) => capabilities.map((_, i) => at(i, r * f).join(",")).join(" ");
  const points = capabilities.map((c, i) => at(i, (r * Math.min(byCapability[c] ?? 0, max)) / max));
  const label = capabilities.map((c) => `${capabilityName(lang, c)} ${number(lang, byCapability[c] ?? 0)}`).join(", ");
  return (
    <svg class="radar" viewBox={`0 0 ${size} 284`} role="img" aria-label={label}>
      {[0.25, 0.5, 0.75, 1].map((f) => (
        <polygon key={f} points={ring(f)} class="radar-grid" />
      ))}
      {capabilities.map((c, i) => {
        const [x, y] = at(i, r);
        return <line key={c} x1={cx} y1={cy} x2={x} y2={y} class="radar-grid" />;
      })}
      <polygon points={points.map((p) => p.join(",")).join(" ")} class="radar-area" />
      {points.map(([x, y], i) => (
        <circle key={capabilities[i]} cx={x} cy={y} r="3" class="radar-dot" />
      ))}
      {capabilities.map((c, i) => {
        const [x, y] = at(i, r + 18);
        const anchor = Math.abs(x - cx) < 8 ? "middle" : x > cx ? "start" : "end";
        const value = byCapability[c] ?? 0;
        // English names take two lines, so that every label fits a 360 px screen.
        const words = lang === "en" ? capabilityName(lang, c).split(" ") : [capabilityName(lang, c)];
        return (
          <text key={c} x={x} y={y} text-anchor={anchor} class={`radar-label tier-${tierOf(c)}`}>
            {words.map((word, w) => (
              <tspan key={word} x={x} dy={w === 0 ? `${-0.2 - 0.6 * (words.length - 1)}em` : "1.15em"}>
                {word}
              </tspan>
            ))}
            <tspan x={x} dy="1.2em" class={value ? "radar-value" : "radar-value zero"}>
              {number(lang, value)}
            </tspan>
          </text>
        );
      })}
    </svg>
  );
}

const metals = ["bronze", "silver", "gold", "platinum", "diamond"];

/** A badge's medal: the metal of the level, greyed when locked. */
export function Medal({ level, held, size = 56 }: { level: number; held: boolean; size?: number }) {
  const metal = held ? (metals[Math.min(level, metals.length) - 1] ?? "gold") : "locked";
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" class={`medal medal-${metal}`}>
      <path d="M20 4h10l4 16H24zM34 4h10l-4 16H30z" class="medal-ribbon" />
      <circle cx="32" cy="39" r="21" class="medal-outer" />
      <circle cx="32" cy="39" r="15.5" class="medal-inner" />
      <path d="M32 29.5l2.9 5.9 6.5.9-4.7 4.6 1.1 6.5L32 44.3l-5.8 3.1 1.1-6.5-4.7-4.6 6.5-.9z" class="medal-star" />
    </svg>
  );
}
