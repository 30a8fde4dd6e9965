/**
 * Reading a file of history: its bytes decoded (UTF-8 with or without a byte-order mark, or GBK as
 * Chinese Excel saves it), its rows parsed (CSV with a header row, or JSON: an array of objects or
 * `{ "records": [...] }`), each row numbered as a spreadsheet shows it and checked on its own.
 */
import { parse } from "csv-parse/sync";
import { DomainError } from "../kernel/errors.ts";
import { parseJson } from "../kernel/json.ts";
import { HistoryRecord, type ImportOptions } from "./schemas.ts";

export type FileEncoding = "utf-8" | "utf-8-bom" | "gbk";

export interface RowRead {
  /** CSV: the spreadsheet row (the header is row 1, so data starts at 2). JSON: the record's position, from 1. */
  row: number;
  record?: HistoryRecord;
  problem?: string;
}

export const maxImportRows = 50_000;

const utf8Bom = [0xef, 0xbb, 0xbf];

export function decodeFile(bytes: Uint8Array, encoding: ImportOptions["encoding"]): { text: string; encoding: FileEncoding } {
  const hasBom = utf8Bom.every((b, i) => bytes[i] === b);
  if (encoding !== "gbk") {
    try {
      const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
      return { text, encoding: hasBom ? "utf-8-bom" : "utf-8" };
    } catch {
      if (encoding === "utf-8") throw unreadable("The file is not valid UTF-8.");
    }
  }
  try {
    return { text: new TextDecoder("gb18030", { fatal: true }).decode(bytes), encoding: "gbk" };
  } catch {
    throw unreadable("The file is neither UTF-8 nor GBK.");
  }
}

const unreadable = (message: string) =>
  new DomainError("invalid", "file-encoding-unknown", `${message} Save it as UTF-8 (with or without a BOM) or GBK.`);

export function readRows(text: string, format: ImportOptions["format"]): { format: "csv" | "json"; rows: RowRead[] } {
  const json = format === "json" || (format === undefined && /^\s*[[{]/.test(text));
  const raw = json ? jsonRecords(text) : csvRecords(text);
  if (raw.length > maxImportRows)
    throw new DomainError("too-large", "too-many-rows", `Import at most ${maxImportRows} rows at once; this file has ${raw.length}.`, {
      limit: maxImportRows,
    });
  const rows = raw.map((fields, index): RowRead => {
    const row = json ? index + 1 : index + 2;
    const parsed = HistoryRecord.safeParse(fields);
    if (parsed.success) return { row, record: parsed.data };
    return { row, problem: parsed.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; ") };
  });
  return { format: json ? "json" : "csv", rows };
}

function jsonRecords(text: string): unknown[] {
  const value = parseJson(Buffer.from(text)) as unknown;
  const records = Array.isArray(value) ? value : (value as { records?: unknown } | null)?.records;
  if (!Array.isArray(records))
    throw new DomainError("invalid", "file-shape", 'A JSON file holds an array of records, or { "records": [...] }.');
  return records;
}

function csvRecords(text: string): Record<string, string>[] {
  try {
    return parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    throw new DomainError("invalid", "file-shape", `The CSV file cannot be read: ${(error as Error).message}`);
  }
}
