/**
 * Spreadsheets for HR and finance: UTF-8 with a byte-order mark, so that Excel shows Chinese
 * correctly, and safe to open: a cell that a spreadsheet would read as a formula (OWASP "CSV
 * injection") is neutralised, whoever typed it.
 */

/**
 * Characters that start a formula: = + - @ (and their full-width forms, which Excel in a Chinese
 * locale also accepts), tab and carriage return (Excel drops them and reads on), and the
 * full-width and ideographic space a CJK input method puts before them.
 */
const formulaStart = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20\u3000]/;

/**
 * One cell: a leading formula character gets a single quote before it (shown as text, the quote
 * hidden); quotes, separators (comma, and the semicolon of locales that split on it) and line breaks are quoted as RFC 4180 says.
 */
export function csvCell(value: string): string {
  const safe = formulaStart.test(value) ? `'${value}` : value;
  return /[",;\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows as CSV with CRLF line ends and a byte-order mark. */
export const csvOf = (rows: readonly (readonly string[])[]): string =>
  `\uFEFF${rows.map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
