/** The shape of one record of history and of an import's options: validation, types and the OpenAPI document. */
import { CapabilitySchema, Id, IsoDate, IsoDateTime } from "../kernel/schemas.ts";
import * as z from "../kernel/zod/index.ts";

/** A spreadsheet's empty cell is no value. */
const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(blank), z.optional(schema));

/**
 * One award of another system, as a CSV row (header names as below) or a JSON object: who (person
 * id or HR external id, optionally the name to cross-check), what (coins, points with a
 * capability, or a badge level), when it happened, which system and record it comes from, why.
 */
export const HistoryRecord = z
  .object({
    personId: optional(Id),
    externalId: optional(z.string().check(z.trim(), z.maxLength(64))),
    name: optional(z.string().check(z.trim(), z.maxLength(100))),
    asset: z.pipe(z.transform(blank), z.enum(["coin", "points", "badge"], { error: "use coin, points or badge" })),
    amount: optional(z.coerce.number().check(z.int("must be a whole number"), z.positive("must be positive"), z.lte(1_000_000_000))),
    capability: optional(CapabilitySchema),
    badgeId: optional(Id),
    level: optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(10))),
    occurredAt: z.pipe(z.transform(blank), z.union([IsoDate, IsoDateTime], { error: "give a day (2024-05-01) or an ISO date-time" })),
    sourceSystem: z.pipe(z.transform(blank), Id),
    recordId: z.pipe(z.transform(blank), z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, "use 1 to 128 printable ASCII characters"))),
    reason: z.pipe(z.transform(blank), z.string().check(z.trim(), z.minLength(1, "say why"), z.maxLength(500))),
  })
  .check(
    z.superRefine((r, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
      if ((r.personId === undefined) === (r.externalId === undefined)) issue("personId", "give either personId or externalId");
      if (r.asset === "badge" && (r.badgeId === undefined || r.level === undefined)) issue("badgeId", "a badge needs badgeId and level");
      if (r.asset !== "badge" && r.amount === undefined) issue("amount", `${r.asset} needs an amount`);
      if (r.asset === "points" && r.capability === undefined) issue("capability", "points need a capability");
    }),
  );
export type HistoryRecord = z.infer<typeof HistoryRecord>;

export const acceptedEncodings = ["auto", "utf-8", "gbk"] as const;

export const ImportQuery = z.strictObject({
  /** true: report every row's outcome and write nothing. */
  dryRun: z._default(z.enum(["true", "false"]), "false"),
  /** abort: any bad row and nothing is written (all or nothing); skip: the good rows are imported. */
  onError: z._default(z.enum(["abort", "skip"]), "abort"),
  /** auto: UTF-8 (with or without a BOM), else GBK (read as GB18030, its superset). */
  encoding: z._default(z.enum(acceptedEncodings), "auto"),
  format: z.optional(z.enum(["csv", "json"])),
});
export type ImportOptions = {
  dryRun: boolean;
  onError: "abort" | "skip";
  encoding: (typeof acceptedEncodings)[number];
  format?: "csv" | "json" | undefined;
};
