/** Lambda: health, the OpenAPI document and the problem pages, all public; and API Gateway's `$default` route (405, 404). */
import { NotFoundError } from "../../domain/kernel/errors.ts";
import { publicRoutes } from "../http/areas/public.routes.ts";
import { httpHandler } from "../http/http.ts";
import { openApiDocument } from "../http/openapi.ts";
import { problemCatalogue, problemPage } from "../http/problem-pages.ts";
import type { ProblemCode } from "../http/problems.ts";
import type { RouteSpec } from "../http/route.ts";

// Built once per cold start: the specs do not change while the function runs.
const document = openApiDocument();

export const handler = httpHandler(
  "public",
  publicRoutes,
  {
    health: async () => ({ body: { status: "ok" } }),
    openapi: async () => ({ body: document }),
    problem: async ({ params }) => {
      if (!Object.hasOwn(problemCatalogue, params.code)) throw new NotFoundError("problem", params.code);
      return { body: problemPage(params.code as ProblemCode), contentType: "text/html; charset=utf-8" };
    },
  },
  {
    auth: () => {
      throw new Error("public routes never authenticate");
    },
    everyRoute: async () => Object.values((await import("../http/routes.ts")).routes) as RouteSpec[],
  },
);
