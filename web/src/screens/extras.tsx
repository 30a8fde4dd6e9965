/**
 * What gamification users expect beyond balances: points over the last weeks, a moment of
 * celebration when a badge level is new, and a badge card to share in the chat app (an image).
 */
import { useEffect, useState } from "preact/hooks";
import { periodKey } from "../../../domain/kernel/periods.ts";
import type { BadgeView, Balances, LedgerEntry } from "../api.ts";
import { useResource } from "../api.ts";
import { badgeName, number, signedAmount, timeZone } from "../format.ts";
import { Card, Medal, Sheet, useApp } from "../ui.tsx";

const weeks = 8;

/** Points earned per ISO week (Asia/Shanghai), oldest first, from the newest 100 entries. */
export function pointsByWeek(entries: readonly LedgerEntry[], now: Date): { week: string; points: number }[] {
  const keys = Array.from({ length: weeks }, (_, i) =>
    periodKey(new Date(now.getTime() - (weeks - 1 - i) * 7 * 86_400_000), "week", timeZone),
  );
  const sums = new Map(keys.map((k) => [k, 0]));
  for (const entry of entries) {
    if (!entry.asset.startsWith("point:")) continue;
    const key = periodKey(entry.occurredAt, "week", timeZone);
    if (sums.has(key)) sums.set(key, (sums.get(key) ?? 0) + signedAmount(entry));
  }
  return keys.map((week) => ({ week, points: sums.get(week) ?? 0 }));
}

export function PointsChart({ personId }: { personId: string }) {
  const { t, lang } = useApp();
  const ledger = useResource<{ entries: LedgerEntry[] }>(`/people/${encodeURIComponent(personId)}/ledger?limit=100`);
  if (!ledger.data) return null;
  const data = pointsByWeek(ledger.data.entries, new Date());
  const max = Math.max(10, ...data.map((d) => d.points));
  const label = data.map((d) => `${t.weekLabel(d.week.slice(6))} ${number(lang, d.points)}`).join(lang === "zh" ? "，" : ", ");
  return (
    <Card title={t.chartTitle} hint={t.chartHint(weeks)}>
      <svg class="chart" viewBox="0 0 320 120" role="img" aria-label={`${t.chartTitle}: ${label}`}>
        {data.map((d, i) => {
          const h = Math.round((90 * Math.max(0, d.points)) / max);
          return (
            <g key={d.week}>
              <rect
                x={8 + i * 39}
                y={96 - h}
                width="26"
                height={Math.max(h, 1)}
                rx="4"
                class={i === data.length - 1 ? "chart-bar now" : "chart-bar"}
              />
              <text x={21 + i * 39} y="114" text-anchor="middle" class="chart-label">
                {d.week.slice(6)}
              </text>
              {d.points > 0 && (
                <text x={21 + i * 39} y={92 - h} text-anchor="middle" class="chart-value">
                  {d.points}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </Card>
  );
}

const seenKey = (personId: string) => `laurel.badges.${personId}`;

/** Badge levels held now that this phone has not celebrated yet (the first visit celebrates none). */
function useNewLevels(balances: Balances): string[] {
  const held = balances.badges.flatMap((b) => b.levels.map((l) => `${b.badgeId}:${l}`));
  try {
    const saved = localStorage.getItem(seenKey(balances.personId));
    if (saved === null) {
      localStorage.setItem(seenKey(balances.personId), JSON.stringify(held));
      return [];
    }
    const seen = new Set(JSON.parse(saved) as string[]);
    return held.filter((h) => !seen.has(h));
  } catch {
    return [];
  }
}

export function Celebration({ balances, badges }: { balances: Balances; badges: readonly BadgeView[] }) {
  const { t, lang } = useApp();
  const fresh = useNewLevels(balances);
  const [closed, setClosed] = useState(false);
  const newest = fresh[fresh.length - 1];
  if (!newest || closed) return null;
  const [badgeId = "", level = "1"] = newest.split(":");
  const close = () => {
    try {
      const held = balances.badges.flatMap((b) => b.levels.map((l) => `${b.badgeId}:${l}`));
      localStorage.setItem(seenKey(balances.personId), JSON.stringify(held));
    } catch {
      // Not kept: the celebration shows again next time, which is harmless.
    }
    setClosed(true);
  };
  const name = badgeName(lang, badges, badgeId, Number(level));
  return (
    <Sheet title={t.celebrate.title} onClose={close}>
      <div class="celebration" role="status">
        <span class="confetti" aria-hidden="true" />
        <Medal level={Number(level)} held size={96} />
        <p class="celebration-name">{t.celebrate.earned(name)}</p>
      </div>
      <div class="sheet-actions">
        <ShareCard personName={balances.name} badgeLabel={name} level={Number(level)} />
        <button type="button" class="button" onClick={close}>
          {t.rewards.ok}
        </button>
      </div>
    </Sheet>
  );
}

const metalColours = ["#b45309", "#64748b", "#ca8a04", "#0e7490", "#7c3aed"];

/** The badge card as a PNG: drawn on a canvas, shared as a file where the chat app allows it, else saved. */
async function cardImage(personName: string, badgeLabel: string, level: number, title: string): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = 720;
  canvas.height = 960;
  const g = canvas.getContext("2d") as CanvasRenderingContext2D;
  g.fillStyle = "#f6f1ea";
  g.fillRect(0, 0, 720, 960);
  g.fillStyle = "#c2410c";
  g.fillRect(0, 0, 720, 16);
  g.beginPath();
  g.arc(360, 330, 170, 0, 2 * Math.PI);
  g.fillStyle = metalColours[Math.min(level, metalColours.length) - 1] ?? "#ca8a04";
  g.fill();
  g.beginPath();
  g.arc(360, 330, 125, 0, 2 * Math.PI);
  g.fillStyle = "#fff7ed";
  g.fill();
  g.fillStyle = "#1c1917";
  g.textAlign = "center";
  g.font = "bold 120px sans-serif";
  g.fillText("★", 360, 372);
  g.font = "bold 44px sans-serif";
  g.fillText(badgeLabel, 360, 610, 660);
  g.font = "36px sans-serif";
  g.fillStyle = "#57534e";
  g.fillText(personName, 360, 680, 660);
  g.fillText(title, 360, 880, 660);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("no image"))), "image/png"));
}

export function ShareCard({ personName, badgeLabel, level }: { personName: string; badgeLabel: string; level: number }) {
  const { t } = useApp();
  const [href, setHref] = useState<string | undefined>(undefined);
  useEffect(() => () => (href ? URL.revokeObjectURL(href) : undefined), [href]);
  const share = async () => {
    const blob = await cardImage(personName, badgeLabel, level, t.appName);
    const file = new File([blob], "badge.png", { type: "image/png" });
    const nav = navigator as Navigator & { canShare?: (data: { files: File[] }) => boolean };
    if (nav.canShare?.({ files: [file] })) await navigator.share({ files: [file], title: badgeLabel }).catch(() => undefined);
    else setHref(URL.createObjectURL(blob));
  };
  return href ? (
    <a class="button secondary" href={href} download="badge.png">
      {t.celebrate.save}
    </a>
  ) : (
    <button type="button" class="button secondary" onClick={() => void share()}>
      {t.celebrate.share}
    </button>
  );
}
