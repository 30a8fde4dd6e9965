/** Lambda: health and the OpenAPI document, both public. */
import { httpHandler } from "../http/http.ts";
import { openApiDocument } from "../http/openapi.ts";

// Built once per cold start: the specs do not change while the function runs.
const document = openApiDocument();

export const handler = httpHandler(
  "public",
  {
    health: async () => ({ body: { status: "ok" } }),
    openapi: async () => ({ body: document }),
  },
  {
    auth: () => {
      throw new Error("public routes never authenticate");
    },
  },
);
