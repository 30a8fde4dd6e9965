import { demoAdmin, loadDemoOrg } from "../../scripts/demo-data.ts";
import { as } from "./api.ts";

/** Loads the demo org into this test file's tables and returns an admin client. */
export async function withDemoOrg() {
  const admin = await as(demoAdmin, "admin");
  await loadDemoOrg(async (method, url, body, key) =>
    method === "PUT" ? admin.put(url, body) : admin.post(url, body, key ? { "idempotency-key": key } : undefined),
  );
  return admin;
}
