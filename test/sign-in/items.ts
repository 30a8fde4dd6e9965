import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { tableNames } from "../support/env.ts";

/** Items of both tables but the audit trail: a refused sign-in may add none. */
export async function itemsBesidesAudit(): Promise<number> {
  const db = createDocumentClient();
  let count = 0;
  for (const table of [tableNames.ledger, tableNames.state]) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }));
      count += (page.Items ?? []).filter((item) => !String(item.pk).startsWith("AUDIT#")).length;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return count;
}
