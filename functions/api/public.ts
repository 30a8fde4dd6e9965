/** Lambda: health, the OpenAPI document and the problem pages, all public; and API Gateway's `$default` route (405, 404). */
import { NotFoundError } from "../../domain/kernel/errors.ts";
import { publicRoutes } from "../http/areas/public.routes.ts";
import { httpHandler } from "../http/http.ts";
import { problemCatalogue, problemPage } from "../http/problem-pages.ts";
import type { ProblemCode } from "../http/problems.ts";
import type { RouteSpec } from "../http/route.ts";

/**
 * Every area's specs and the document built from them are loaded on the first request that needs
 * them, once per instance: a start answering /health or a problem page builds none of them.
 */
const everyRoute = async () => Object.values((await import("../http/routes.ts")).routes) as RouteSpec[];
let document: Promise<object> | undefined;

export const handler = httpHandler(
  "public",
  publicRoutes,
  {
    health: async () => ({ body: { status: "ok" } }),
    openapi: async () => {
      document ??= import("../http/openapi.ts").then(({ openApiDocument }) => openApiDocument());
      return { body: await document };
    },
    problem: async ({ params }) => {
      if (!Object.hasOwn(problemCatalogue, params.code)) throw new NotFoundError("problem", params.code);
      return { body: problemPage(params.code as ProblemCode), contentType: "text/html; charset=utf-8" };
    },
  },
  {
    auth: () => {
      throw new Error("public routes never authenticate");
    },
    everyRoute,
  },
);
