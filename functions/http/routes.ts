/**
 * Every route of the HTTP API, one typed union of the areas' specs: what the OpenAPI document,
 * API Gateway (lib/), the local server and the tests are built from. A function's entry point
 * imports only its own area's specs (functions/http/areas/<area>.routes.ts), so that its bundle
 * holds no other area's schemas; this file is imported only by the public function (for the
 * document and 405 answers) and outside the functions.
 */
import { adminRoutes } from "./areas/admin.routes.ts";
import { bountiesRoutes } from "./areas/bounties.routes.ts";
import { eligibilityRoutes } from "./areas/eligibility.routes.ts";
import { fundRoutes } from "./areas/fund.routes.ts";
import { importsRoutes } from "./areas/imports.routes.ts";
import { integrityRoutes } from "./areas/integrity.routes.ts";
import { leaderboardRoutes } from "./areas/leaderboard.routes.ts";
import { ledgerRoutes } from "./areas/ledger.routes.ts";
import { notificationsRoutes } from "./areas/notifications.routes.ts";
import { publicRoutes } from "./areas/public.routes.ts";
import { scimRoutes } from "./areas/scim.routes.ts";
import { signInRoutes } from "./areas/sign-in.routes.ts";
import { webhooksRoutes } from "./areas/webhooks.routes.ts";

/** Every route: an area's specs file is spread in here, one line each. */
export const routes = {
  ...publicRoutes,
  ...ledgerRoutes,
  ...adminRoutes,
  ...webhooksRoutes,
  ...fundRoutes,
  ...eligibilityRoutes,
  ...leaderboardRoutes,
  ...bountiesRoutes,
  ...importsRoutes,
  ...signInRoutes,
  ...scimRoutes,
  ...notificationsRoutes,
  ...integrityRoutes,
} as const;

export type RouteId = keyof typeof routes;
