/**
 * Tables in DynamoDB's export format (what ExportTableToPointInTime writes to S3 with
 * ExportFormat DYNAMODB_JSON): gzipped data files of one `{"Item":{…}}` line per item in
 * DynamoDB JSON, listed in manifest-files.json, counted in manifest-summary.json. The drill
 * writes and reads the same layout, so the import code works on a real S3 export copied down.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";

export type RawItem = Record<string, AttributeValue>;

const itemsPerFile = 50_000;
const batchSize = 25;

/** Every item of a table as DynamoDB returns it (no unmarshalling: nothing can change on the way). */
export async function* scanRaw(client: DynamoDBClient, table: string): AsyncGenerator<RawItem> {
  let startKey: RawItem | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Writes the table's export under `dir` and returns how many items it holds. */
export async function exportTable(client: DynamoDBClient, table: string, dir: string): Promise<number> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const files: { itemCount: number; md5Checksum: string; dataFileS3Key: string }[] = [];
  let lines: string[] = [];
  let count = 0;
  const flush = () => {
    if (lines.length === 0) return;
    const data = gzipSync(`${lines.join("\n")}\n`);
    const key = `data/${String(files.length).padStart(5, "0")}.json.gz`;
    writeFileSync(join(dir, key), data);
    files.push({ itemCount: lines.length, md5Checksum: createHash("md5").update(data).digest("base64"), dataFileS3Key: key });
    lines = [];
  };
  for await (const item of scanRaw(client, table)) {
    lines.push(JSON.stringify({ Item: item }));
    count += 1;
    if (lines.length === itemsPerFile) flush();
  }
  flush();
  writeFileSync(join(dir, "manifest-files.json"), files.map((f) => JSON.stringify(f)).join("\n"));
  writeFileSync(
    join(dir, "manifest-summary.json"),
    JSON.stringify({
      version: "2020-06-30",
      exportFormat: "DYNAMODB_JSON",
      tableName: table,
      itemCount: count,
      outputFormat: "DYNAMODB_JSON",
    }),
  );
  return count;
}

/** The items of an export, checked against its manifests (a truncated or altered file is refused). */
export function* readExport(dir: string): Generator<RawItem> {
  const summary = JSON.parse(readFileSync(join(dir, "manifest-summary.json"), "utf8")) as { itemCount: number };
  const files = readFileSync(join(dir, "manifest-files.json"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { itemCount: number; md5Checksum: string; dataFileS3Key: string });
  let count = 0;
  for (const file of files) {
    const data = readFileSync(join(dir, file.dataFileS3Key));
    if (createHash("md5").update(data).digest("base64") !== file.md5Checksum) throw new Error(`${file.dataFileS3Key}: checksum mismatch`);
    const lines = gunzipSync(data).toString("utf8").split("\n").filter(Boolean);
    if (lines.length !== file.itemCount)
      throw new Error(`${file.dataFileS3Key}: ${lines.length} items, the manifest says ${file.itemCount}`);
    for (const line of lines) yield (JSON.parse(line) as { Item: RawItem }).Item;
    count += lines.length;
  }
  if (count !== summary.itemCount) throw new Error(`${dir}: ${count} items, the summary says ${summary.itemCount}`);
}

/** Loads an export into an empty table, 25 items a request, retrying what DynamoDB leaves unprocessed. */
export async function importTable(client: DynamoDBClient, dir: string, table: string, inFlight = 8): Promise<number> {
  let batch: RawItem[] = [];
  let pending: Promise<void>[] = [];
  let count = 0;
  const write = async (items: RawItem[]) => {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 2 ** attempt * 20)));
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  };
  for (const item of readExport(dir)) {
    batch.push(item);
    count += 1;
    if (batch.length < batchSize) continue;
    pending.push(write(batch));
    batch = [];
    if (pending.length >= inFlight) {
      await Promise.all(pending);
      pending = [];
    }
  }
  if (batch.length) pending.push(write(batch));
  await Promise.all(pending);
  return count;
}
