/** Lambda: history imports (admin). */
import type { BadgeDefinition } from "../../domain/awards/index.ts";
import { ImportService } from "../../domain/imports/index.ts";
import { NotFoundError } from "../../domain/kernel/errors.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoImportStore } from "../dynamo/stores/import-store.ts";
import { importsRoutes } from "../http/areas/imports.routes.ts";
import { httpHandler } from "../http/http.ts";

/** The import use case on DynamoDB: here for the Lambda, and for `npm run import` (scripts/ops/import.ts), unbounded in time. */
export function newImportService(adapters: ReturnType<typeof createAdapters>, timeBudgetMs?: number) {
  return new ImportService({
    ledger: adapters.ledgerStore,
    store: new DynamoImportStore(adapters.db, adapters.tables, adapters.audit),
    people: () => adapters.directory.allPeople(),
    badges: async () => (await adapters.definitions.list<BadgeDefinition>("badge")).map((v) => ({ ...v.body, badgeId: v.id })),
    clock: adapters.clock,
    timeZone: adapters.timeZone,
    ...(timeBudgetMs === undefined ? {} : { timeBudgetMs }),
  });
}

const adapters = createAdapters("imports");
// API Gateway answers within 29 s: a run pauses after 20 s of writing, and the client posts the same file again to go on.
const imports = newImportService(adapters, Number(process.env.IMPORT_TIME_BUDGET_MS ?? 20_000));

export const handler = httpHandler(
  "imports",
  importsRoutes,
  {
    importHistory: async ({ caller, query, rawBody, headers }) => {
      const type = headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
      const format = query.format ?? (type === "text/csv" ? "csv" : type === "application/json" ? "json" : undefined);
      return {
        body: await imports.run(caller, rawBody, {
          dryRun: query.dryRun === "true",
          onError: query.onError,
          encoding: query.encoding,
          format,
        }),
      };
    },
    importProgress: async ({ caller, params }) => {
      const job = await imports.job(caller, params.importId);
      if (!job) throw new NotFoundError("import", params.importId);
      return { body: job };
    },
  },
  adapters,
);
