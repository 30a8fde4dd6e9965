/**
 * The audit trail: one item per action, written once (attribute_not_exists) in the ledger table
 * under AUDIT#<day>, where IAM lets functions put nothing else but what their role allows. Read
 * by admins a day at a time.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRecord } from "../../domain/kernel/audit.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import type { Page } from "../../domain/kernel/ports.ts";
import { keys, withoutKeys } from "./keys.ts";

export class AuditLog {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, ledgerTable: string) {
    this.#db = db;
    this.#table = ledgerTable;
  }

  async append(record: AuditRecord): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...keys.audit(record.at.slice(0, 10), record.at, record.auditId), ...record },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  /**
   * Records are keyed by their UTC day; a window (a company day) spans one or two of them, read
   * newest first, each between the window's instants, resuming after the cursor's record.
   */
  async trail(window: { from: string; to: string }, limit: number, cursor?: string): Promise<Page<AuditRecord>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const records: AuditRecord[] = [];
    for (const day of utcDays(window).filter((d) => !after || d <= after.day)) {
      let startKey: Record<string, unknown> | undefined = after?.day === day ? { pk: keys.auditPartition(day), sk: after.sk } : undefined;
      do {
        const page = await this.#db.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues: { ":pk": keys.auditPartition(day), ":from": window.from, ":to": `${window.to}#~` },
            ScanIndexForward: false,
            Limit: limit - records.length,
            ExclusiveStartKey: startKey,
          }),
        );
        records.push(...(page.Items ?? []).map((item) => withoutKeys<AuditRecord>(item)));
        startKey = page.LastEvaluatedKey;
      } while (startKey && records.length < limit);
      if (records.length >= limit) break;
    }
    const last = records.length === limit ? records.at(-1) : undefined;
    return { items: records, cursor: last ? encodeCursor(last) : undefined };
  }
}

/** The UTC days a window touches, newest first. */
function utcDays(window: { from: string; to: string }): string[] {
  const days: string[] = [];
  for (let t = Date.parse(window.to.slice(0, 10)); t >= Date.parse(window.from.slice(0, 10)); t -= 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

const encodeCursor = (record: AuditRecord) =>
  Buffer.from(`a1:${keys.audit(record.at.slice(0, 10), record.at, record.auditId).sk}`).toString("base64url");

function decodeCursor(cursor: string): { day: string; sk: string } {
  const match = /^a1:(\d{4}-\d{2}-\d{2})T[^#]+#[0-9a-f-]{36}$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
  return { day: match[1] as string, sk: Buffer.from(cursor, "base64url").toString().slice(3) };
}
