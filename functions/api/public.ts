/** Lambda: health and the OpenAPI document, both public. */
import { NotFoundError } from "../../domain/kernel/errors.ts";
import { httpHandler } from "../http/http.ts";
import { openApiDocument } from "../http/openapi.ts";
import { problemCatalogue, problemPage } from "../http/problem-pages.ts";
import type { ProblemCode } from "../http/problems.ts";

// Built once per cold start: the specs do not change while the function runs.
const document = openApiDocument();

export const handler = httpHandler(
  "public",
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
  },
);
