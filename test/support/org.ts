import { demoAdmin, loadDemoDefinitions, loadDemoOrg, type Send } from "../../scripts/demo-data.ts";
import { as } from "./api.ts";

async function adminSender() {
  const admin = await as(demoAdmin, "admin");
  const send: Send = (method, url, body, key) =>
    method === "PUT" ? admin.put(url, body) : admin.post(url, body, key ? { "idempotency-key": key } : undefined);
  return { admin, send };
}

/** Loads the demo org into this test file's tables and returns an admin client. */
export async function withDemoOrg() {
  const { admin, send } = await adminSender();
  await loadDemoOrg(send);
  return admin;
}

/** The demo org plus the demo sources, rules and badges; returns the sources' secrets too. */
export async function withDemoDefinitions() {
  const { admin, send } = await adminSender();
  await loadDemoOrg(send);
  const secrets = await loadDemoDefinitions(send);
  return { admin, secrets };
}
