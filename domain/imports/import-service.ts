/**
 * Bringing history in (seed 004: migrated history stays traceable). An admin hands in a file of
 * awards from another system; every row gets an outcome by its row number; a dry run writes
 * nothing; a real run writes each person's rows as award entries marked with their origin, in
 * transactions of a few rows, each with a once-only marker per source record, so re-importing the
 * same file adds nothing and an interrupted import resumes where it stopped when run again.
 * Entries keep the day the award happened (business time) and the day Laurel learnt of it
 * (recorded time): as-of checks "with everything known now" count them (domain/ledger/late.ts).
 */
import { randomUUID } from "node:crypto";
import type { Badge } from "../awards/index.ts";
import { assertRole, type Caller, type Person } from "../directory/index.ts";
import { sha256Hex } from "../kernel/canonical.ts";
import { DomainError } from "../kernel/errors.ts";
import { type AssetKey, assetKey, type Capability, type EntryId, type PersonId, personAccount, systemAccount } from "../kernel/model.ts";
import { endOfDay } from "../kernel/periods.ts";
import type { Clock } from "../kernel/ports.ts";
import { type RetryPolicy, retryOnContention } from "../kernel/retry.ts";
import { appendMovements, type LedgerStore, type Movement, type PersonSnapshot } from "../ledger/index.ts";
import { type ImportJob, type ImportReport, type RowOutcome, type RowResult, rowOutcomes } from "./import.ts";
import type { ImportStore } from "./ports.ts";
import { decodeFile, type RowRead, readRows } from "./records.ts";
import type { HistoryRecord, ImportOptions } from "./schemas.ts";

export interface ImportDeps {
  ledger: LedgerStore;
  store: ImportStore;
  /** Everyone in the directory: read once per import when rows name people by HR external id. */
  people: () => AsyncIterable<Person>;
  badges: () => Promise<Badge[]>;
  clock: Clock;
  timeZone: string;
  /** How long one run may write before it pauses (an HTTP request must answer in time); unbounded if absent. */
  timeBudgetMs?: number;
  retry?: RetryPolicy;
}

/** Rows per transaction: each row is an entry and a marker, beside the head, a checkpoint and late sums (≤ 100 items). */
export const rowsPerWrite = 25;
/** People written at once. */
const peopleInFlight = 8;
const progressEveryMs = 1000;

interface Planned {
  result: RowResult;
  record: HistoryRecord;
  personId: PersonId;
  asset: AssetKey;
  amount: number;
  occurredAt: string;
}

export class ImportService {
  readonly #deps: ImportDeps;

  constructor(deps: ImportDeps) {
    this.#deps = deps;
  }

  async run(caller: Caller, file: Uint8Array, options: ImportOptions, onProgress?: (job: ImportJob) => void): Promise<ImportReport> {
    assertRole(caller, ["admin"]);
    const { text, encoding } = decodeFile(file, options.encoding);
    const { format, rows } = readRows(text, options.format);
    const now = this.#deps.clock.now().toISOString();
    const { results, planned, snapshots } = await this.#plan(rows, now, importIdOf(file));
    const job: ImportJob = {
      importId: importIdOf(file),
      status: options.dryRun ? "dry-run" : "running",
      onError: options.onError,
      encoding,
      rows: rows.length,
      done: results.length - planned.length,
      counts: countOf(results),
      by: caller.personId,
      startedAt: now,
      updatedAt: now,
    };
    const report = () => ({
      ...job,
      rowNumbers: format === "json" ? "records of the JSON array, from 1" : "spreadsheet rows: the header is row 1, the first record row 2",
      outcomes: results,
    });
    const bad = job.counts.invalid + job.counts["unknown-person"];
    if (options.dryRun) return report();
    if (bad > 0 && options.onError === "abort") {
      throw new DomainError(
        "unprocessable",
        "import-has-bad-rows",
        `${bad} of ${rows.length} rows cannot be imported, so nothing was (onError=abort); fix them, or import the rest with onError=skip.`,
        { importId: job.importId, counts: job.counts, badRows: results.filter(isBad).slice(0, 1000) },
      );
    }
    await this.#write(caller, job, planned, snapshots, onProgress);
    await this.#deps.store.audit({
      auditId: randomUUID(),
      at: job.updatedAt,
      actor: caller.personId,
      action: "history-import",
      targets: [],
      details: { importId: job.importId, rows: job.rows, counts: job.counts, onError: job.onError },
      outcome: job.status,
    });
    return report();
  }

  job(caller: Caller, importId: string): Promise<ImportJob | undefined> {
    assertRole(caller, ["admin"]);
    return this.#deps.store.readJob(importId);
  }

  /** Every row's outcome, and the rows to write grouped by person with each person's state. */
  async #plan(rows: readonly RowRead[], now: string, importId: string) {
    const records = rows.flatMap((r) => (r.record ? [r.record] : []));
    const [byExternal, badges, already] = await Promise.all([
      records.some((r) => r.externalId !== undefined) ? this.#externalIds() : new Map<string, PersonId>(),
      this.#deps.badges(),
      this.#deps.store.importedAlready(records.map((r) => ({ system: r.sourceSystem, recordId: r.recordId }))),
    ]);
    const personOf = (r: HistoryRecord) => (r.personId as PersonId | undefined) ?? byExternal.get(r.externalId as string);
    const snapshots = await this.#snapshots([...new Set(records.flatMap((r) => personOf(r) ?? []))]);
    const seen = new Map<string, number>();
    const badgesGiven = new Set<string>();
    const results: RowResult[] = [];
    const planned: Planned[] = [];
    for (const { row, record, problem } of rows) {
      if (!record) {
        results.push({ row, outcome: "invalid", problem: problem as string });
        continue;
      }
      const result: RowResult = { row, outcome: "would-import", sourceSystem: record.sourceSystem, recordId: record.recordId };
      results.push(result);
      const personId = personOf(record);
      const person = personId ? snapshots.get(personId)?.person : undefined;
      const sourceKey = `${record.sourceSystem}#${record.recordId}`;
      const firstRow = seen.get(sourceKey);
      seen.set(sourceKey, firstRow ?? row);
      const refuse = (outcome: RowOutcome, why: string) => Object.assign(result, { outcome, problem: why });
      if (person) result.personId = person.personId;
      const earlier = already.get(sourceKey);
      if (earlier) refuse("duplicate", importedBefore(sourceKey, earlier.importId, importId));
      else if (firstRow !== undefined) refuse("duplicate", `${sourceKey} is also row ${firstRow} of this file.`);
      else if (!person)
        refuse("unknown-person", `No person with ${record.personId ? `id "${record.personId}"` : `external id "${record.externalId}"`}.`);
      else {
        const decided = decide(
          record,
          person,
          snapshots.get(person.personId) as PersonSnapshot,
          badges,
          badgesGiven,
          now,
          this.#deps.timeZone,
        );
        if ("problem" in decided) refuse("invalid", decided.problem);
        else planned.push({ result, record, personId: person.personId, ...decided });
      }
    }
    return { results, planned, snapshots };
  }

  async #write(
    caller: Caller,
    job: ImportJob,
    planned: readonly Planned[],
    snapshots: Map<PersonId, PersonSnapshot>,
    onProgress?: (job: ImportJob) => void,
  ): Promise<void> {
    const runId = randomUUID();
    const byPerson = new Map<PersonId, Planned[]>();
    for (const p of planned) byPerson.set(p.personId, [...(byPerson.get(p.personId) ?? []), p]);
    const queue = [...byPerson];
    const started = Date.now();
    const timeUp = () => this.#deps.timeBudgetMs !== undefined && Date.now() - started > this.#deps.timeBudgetMs;
    let savedAt = 0;
    const progress = async (force = false) => {
      job.updatedAt = this.#deps.clock.now().toISOString();
      onProgress?.(job);
      if (force || Date.now() - savedAt >= progressEveryMs) {
        savedAt = Date.now();
        await this.#deps.store.saveJob({ ...job });
      }
    };
    await progress(true);
    const worker = async () => {
      for (let next = queue.shift(); next && !timeUp(); next = queue.shift()) {
        const [personId, rows] = next;
        let snapshot = snapshots.get(personId) as PersonSnapshot;
        for (let i = 0; i < rows.length && !timeUp(); i += rowsPerWrite) {
          snapshot = await this.#writeRows(caller, job, runId, snapshot, rows.slice(i, i + rowsPerWrite));
          await progress();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: peopleInFlight }, worker));
    } catch (error) {
      job.status = "interrupted";
      await progress(true);
      throw error;
    }
    const left = planned.filter((p) => p.result.outcome === "would-import");
    for (const p of left) p.result.outcome = "pending";
    job.counts.pending = left.length;
    job.counts["would-import"] -= left.length;
    job.status = left.length > 0 ? "paused" : "done";
    await progress(true);
  }

  /**
   * One transaction: the rows' entries at the end of the person's chain and a marker per source
   * record. A lost race (or a write whose answer was lost) reads again: rows whose marker is now
   * there were written, by this run (imported) or another (duplicate).
   */
  async #writeRows(caller: Caller, job: ImportJob, runId: string, first: PersonSnapshot, rows: Planned[]): Promise<PersonSnapshot> {
    let snapshot = first;
    let attempt = 0;
    return retryOnContention(async () => {
      let pending = rows;
      if (attempt++ > 0) {
        const personId = rows[0]?.personId as PersonId;
        const [fresh, markers] = await Promise.all([
          this.#deps.ledger.readPerson(personId),
          this.#deps.store.importedAlready(rows.map((r) => ({ system: r.record.sourceSystem, recordId: r.record.recordId }))),
        ]);
        snapshot = fresh;
        pending = rows.filter((r) => {
          const marker = markers.get(`${r.record.sourceSystem}#${r.record.recordId}`);
          if (!marker || r.result.outcome !== "would-import") return !marker;
          settle(job, r.result, marker.runId === runId ? "imported" : "duplicate", marker.entryId);
          if (marker.runId !== runId)
            r.result.problem = importedBefore(`${r.record.sourceSystem}#${r.record.recordId}`, marker.importId, job.importId);
          return false;
        });
      }
      if (pending.length === 0) return snapshot;
      const now = this.#deps.clock.now().toISOString();
      const movements: Movement[] = pending.map((r) => ({
        kind: "award",
        asset: r.asset,
        amount: r.amount,
        from: systemAccount("issuer"),
        to: personAccount(r.personId),
        reason: r.record.reason,
        actor: { kind: "person", personId: caller.personId },
        occurredAt: r.occurredAt,
        ref: { importedFrom: { system: r.record.sourceSystem, recordId: r.record.recordId, importId: job.importId } },
      }));
      const { entries, state } = appendMovements(snapshot.chain, movements, now);
      await this.#deps.ledger.append({
        chains: [{ before: snapshot.chain, after: state, entries, ruleState: snapshot.ruleState, headVersion: snapshot.headVersion }],
        records: pending.map((r, i) => ({
          kind: "imported" as const,
          system: r.record.sourceSystem,
          recordId: r.record.recordId,
          entryId: (entries[i] as { entryId: EntryId }).entryId,
          importId: job.importId,
          runId,
          recordedAt: now,
        })),
      });
      pending.forEach((r, i) => {
        settle(job, r.result, "imported", entries[i]?.entryId);
      });
      return { ...snapshot, chain: state, headVersion: snapshot.headVersion + 1 };
    }, this.#deps.retry);
  }

  async #snapshots(personIds: readonly PersonId[]): Promise<Map<PersonId, PersonSnapshot>> {
    const snapshots = new Map<PersonId, PersonSnapshot>();
    for (let i = 0; i < personIds.length; i += 16) {
      const batch = personIds.slice(i, i + 16);
      const read = await Promise.all(batch.map((id) => this.#deps.ledger.readPerson(id)));
      batch.forEach((id, j) => {
        snapshots.set(id, read[j] as PersonSnapshot);
      });
    }
    return snapshots;
  }

  async #externalIds(): Promise<Map<string, PersonId>> {
    const ids = new Map<string, PersonId>();
    for await (const person of this.#deps.people()) if (person.externalId) ids.set(person.externalId, person.personId);
    return ids;
  }
}

/** A valid row for a known person: its asset, amount and the instant it happened; or why not. */
function decide(
  record: HistoryRecord,
  person: Person,
  snapshot: PersonSnapshot,
  badges: readonly Badge[],
  badgesGiven: Set<string>,
  now: string,
  timeZone: string,
): { asset: AssetKey; amount: number; occurredAt: string } | { problem: string } {
  if (record.name !== undefined && record.name !== person.name)
    return { problem: `The name "${record.name}" is not ${person.personId}'s name in the directory ("${person.name}").` };
  const occurredAt =
    record.occurredAt.length === 10
      ? new Date(Date.parse(endOfDay(record.occurredAt, timeZone)) - 86_399_999).toISOString()
      : new Date(record.occurredAt).toISOString();
  if (occurredAt > now) return { problem: `occurredAt ${record.occurredAt} is in the future.` };
  if (record.asset === "coin") return { asset: "coin", amount: record.amount as number, occurredAt };
  if (record.asset === "points")
    return { asset: assetKey({ kind: "point", capability: record.capability as Capability }), amount: record.amount as number, occurredAt };
  const badge = badges.find((b) => b.badgeId === record.badgeId);
  if (!badge) return { problem: `No badge with id "${record.badgeId}"; define it first.` };
  if (!badge.levels.some((l) => l.level === record.level)) return { problem: `Badge "${record.badgeId}" has no level ${record.level}.` };
  const asset = assetKey({ kind: "badge", badgeId: record.badgeId as string, level: record.level as number });
  const given = `${person.personId}#${asset}`;
  if ((snapshot.chain.balances[asset] ?? 0) > 0 || badgesGiven.has(given))
    return { problem: `${person.personId} already holds ${record.badgeId} level ${record.level}.` };
  badgesGiven.add(given);
  return { asset, amount: 1, occurredAt };
}

function settle(job: ImportJob, result: RowResult, outcome: RowOutcome, entryId: string | undefined): void {
  job.counts[result.outcome] -= 1;
  job.counts[outcome] += 1;
  job.done += 1;
  result.outcome = outcome;
  if (entryId) result.entryId = entryId;
}

/** A file's identity: the same bytes are the same import, whose progress a second run continues. */
const importIdOf = (file: Uint8Array) => sha256Hex(Buffer.from(file).toString("base64")).slice(0, 32);

const importedBefore = (sourceKey: string, by: string, current: string) =>
  by === current ? `${sourceKey} was imported by an earlier run of this same file.` : `${sourceKey} was imported before, by import ${by}.`;

const isBad = (r: RowResult) => r.outcome === "invalid" || r.outcome === "unknown-person";

function countOf(results: readonly RowResult[]): Record<RowOutcome, number> {
  const counts = Object.fromEntries(rowOutcomes.map((o) => [o, 0])) as Record<RowOutcome, number>;
  for (const r of results) counts[r.outcome] += 1;
  return counts;
}
