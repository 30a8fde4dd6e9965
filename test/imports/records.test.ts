import { describe, expect, it } from "vitest";
import { decodeFile, readRows } from "../../domain/imports/index.ts";

const header = "personId,asset,amount,occurredAt,sourceSystem,recordId,reason";

describe("reading a file of history", () => {
  it("decodes UTF-8, UTF-8 with a byte-order mark and GBK, and says which", () => {
    const text = "何颖";
    expect(decodeFile(new TextEncoder().encode(text), "auto")).toEqual({ text, encoding: "utf-8" });
    expect(decodeFile(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), "auto")).toEqual({
      text,
      encoding: "utf-8-bom",
    });
    // 何颖 in GBK.
    expect(decodeFile(new Uint8Array([0xba, 0xce, 0xd3, 0xb1]), "auto")).toEqual({ text, encoding: "gbk" });
    expect(() => decodeFile(new Uint8Array([0xba, 0xce]), "utf-8")).toThrow("not valid UTF-8");
  });

  it("numbers CSV rows as a spreadsheet does and JSON records from 1, each checked on its own", () => {
    const csv = readRows(`${header}\nhe-ying,coin,5,2024-05-01,hr,r1,迁移\nhe-ying,coin,-5,2024-05-01,hr,r2,迁移\n`, undefined);
    expect(csv.format).toBe("csv");
    expect(csv.rows.map((r) => [r.row, r.problem ?? "ok"])).toEqual([
      [2, "ok"],
      [3, "amount: must be positive"],
    ]);
    const json = readRows(
      JSON.stringify([{ personId: "he-ying", asset: "badge", occurredAt: "2024-05-01", sourceSystem: "hr", recordId: "r3", reason: "x" }]),
      undefined,
    );
    expect(json).toEqual({ format: "json", rows: [{ row: 1, problem: "badgeId: a badge needs badgeId and level" }] });
  });

  it("refuses a file that is neither CSV nor JSON records", () => {
    expect(() => readRows('{"rows": []}', undefined)).toThrow('A JSON file holds an array of records, or { "records": [...] }.');
    expect(() => readRows('a,b\n"unclosed', "csv")).toThrow("The CSV file cannot be read");
  });
});
