/** 排行 rank: leaderboards of the org units the person belongs to, by period and metric, with their own position. */
import { useEffect, useState } from "preact/hooks";
import { capabilities } from "../../../domain/kernel/model.ts";
import { type Answer, type OrgUnit, useResource } from "../api.ts";
import { number } from "../format.ts";
import { capabilityName } from "../i18n.ts";
import { ErrorView, Segmented, Skeleton, useApp } from "../ui.tsx";

const periods = ["week", "month", "quarter", "year", "all"] as const;

type Board = Answer<"leaderboard">;

/** The unit and those above it: the boards a member may see. */
const lineage = (units: readonly OrgUnit[], unitId: string) => {
  const out: OrgUnit[] = [];
  for (let unit = units.find((u) => u.orgUnitId === unitId); unit && !out.includes(unit); ) {
    out.push(unit);
    const parent = unit.parentId;
    unit = parent ? units.find((u) => u.orgUnitId === parent) : undefined;
  }
  return out;
};

export function RankScreen() {
  const { t, lang, orgUnits } = useApp();
  const [period, setPeriod] = useState<(typeof periods)[number]>("month");
  const [metric, setMetric] = useState("points");
  const [orgUnit, setOrgUnit] = useState<string | undefined>(undefined);
  const query = new URLSearchParams({ period, metric, limit: "10", ...(orgUnit ? { orgUnit } : {}) });
  const board = useResource<Board>(`/leaderboards?${query}`);
  const [home, setHome] = useState<string | undefined>(undefined);
  const defaultUnit = orgUnit ? undefined : board.data?.orgUnit.orgUnitId;
  useEffect(() => {
    if (defaultUnit) setHome(defaultUnit);
  }, [defaultUnit]);
  const scopes = home && orgUnits ? lineage(orgUnits, home) : [];
  // Nobody ranks with nothing scored: thirty people tied at #1 with 0 says nothing.
  const scored = board.data?.entries.filter((e) => e.score > 0) ?? [];
  const me = board.data?.me && board.data.me.score > 0 ? board.data.me : undefined;
  const outside = Boolean(me && !scored.some((e) => e.self));
  const rows = [...scored, ...(outside && me ? [me] : [])];

  return (
    <>
      <Segmented legend={t.rankPeriod} options={periods} value={period} label={(p) => t.periods[p]} onChange={setPeriod} />
      <div class="filters">
        <label class="field">
          <span>{t.rankScope}</span>
          <select value={orgUnit ?? home ?? ""} onChange={(e) => setOrgUnit((e.target as HTMLSelectElement).value || undefined)}>
            {scopes.length === 0 && <option value="">{board.data?.orgUnit.name ?? "…"}</option>}
            {scopes.map((u) => (
              <option key={u.orgUnitId} value={u.orgUnitId}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t.rankMetric}</span>
          <select value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
            <option value="points">{t.pointsTotal}</option>
            {capabilities.map((c) => (
              <option key={c} value={`points:${c}`}>
                {capabilityName(lang, c)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {board.error ? (
        <ErrorView error={board.error} retry={board.reload} />
      ) : !board.data ? (
        <Skeleton lines={6} />
      ) : (
        <section class="card" aria-label={board.data.orgUnit.name}>
          <header class="card-head">
            <h2>{board.data.orgUnit.name}</h2>
            <p class="hint">{t.entrants(board.data.entrants)}</p>
          </header>
          {rows.length === 0 ? (
            <p class="empty">{t.noRanks}</p>
          ) : (
            <ol class="board">
              {rows.map((row, i) => (
                <li
                  key={`${row.rank}-${row.personId ?? row.orgUnitId ?? i}`}
                  class={`${row.self ? "row self" : "row"}${outside && row.self ? " outside" : ""}`}
                  aria-current={row.self ? "true" : undefined}
                >
                  <span class={`rank rank-${row.rank <= 3 ? row.rank : "n"}`}>{row.rank}</span>
                  <span class="row-name">
                    {row.anonymous ? t.anonymous : row.name}
                    {row.self && <span class="chip chip-accent">{t.you}</span>}
                  </span>
                  <span class="row-score">{number(lang, row.score)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </>
  );
}
