/**
 * The audit trail: one item per action, written once (attribute_not_exists) in the ledger table
 * under AUDIT#<day>, where IAM lets functions put nothing else but what their role allows. Read
 * by admins a day at a time.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRecord } from "../../domain/kernel/audit.ts";
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

  async trail(day: string, limit: number): Promise<AuditRecord[]> {
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.auditPartition(day) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => withoutKeys<AuditRecord>(item));
  }
}
