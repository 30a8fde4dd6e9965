/**
 * History imports on DynamoDB: the once-only marker of each imported source record (ledger table,
 * written with the entries by DynamoLedgerStore.append) and the import's progress (state table,
 * replaced as it goes). Keys: see ../keys.ts and ../tables.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { ImportJob, ImportMarker, ImportStore, SourceRecordRef } from "../../../domain/imports/index.ts";
import type { AuditRecord } from "../../../domain/kernel/audit.ts";
import type { AuditLog } from "../audit-log.ts";
import { batchGet } from "../batch-get.ts";
import { keys, withoutKeys } from "../keys.ts";

/** BatchGetItem takes at most 100 keys. */
const keysPerRead = 100;
const readsInFlight = 8;

export class DynamoImportStore implements ImportStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;
  readonly #audit: AuditLog;

  constructor(db: DynamoDBDocumentClient, tableNames: { ledger: string; state: string }, audit: AuditLog) {
    this.#db = db;
    this.#ledger = tableNames.ledger;
    this.#state = tableNames.state;
    this.#audit = audit;
  }

  async importedAlready(records: readonly SourceRecordRef[]): Promise<Map<string, ImportMarker>> {
    const unique = [...new Map(records.map((r) => [`${r.system}#${r.recordId}`, r])).values()];
    const batches: SourceRecordRef[][] = [];
    for (let i = 0; i < unique.length; i += keysPerRead) batches.push(unique.slice(i, i + keysPerRead));
    const found = new Map<string, ImportMarker>();
    const next = async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        const answer = await batchGet(this.#db, { [this.#ledger]: batch.map((r) => keys.imported(r.system, r.recordId)) });
        for (const r of batch) {
          const marker = answer.get(this.#ledger, keys.imported(r.system, r.recordId));
          if (marker)
            found.set(`${r.system}#${r.recordId}`, {
              importId: marker.importId as string,
              runId: marker.runId as string,
              entryId: marker.entryId as string,
            });
        }
      }
    };
    await Promise.all(Array.from({ length: readsInFlight }, next));
    return found;
  }

  async saveJob(job: ImportJob): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.importJob(job.importId), ...job } }));
  }

  async readJob(importId: string): Promise<ImportJob | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#state, Key: keys.importJob(importId) }));
    return Item ? withoutKeys<ImportJob>(Item) : undefined;
  }

  audit(record: AuditRecord): Promise<void> {
    return this.#audit.append(record);
  }
}
