/**
 * No false alarms on ordinary use: the demo company as `npm start` loads it (awards by hand, the
 * learning platform's events, the innovation fund's claims, approvals and payouts), then a month
 * of ordinary learning (courses every few days, passes, fails, the odd near miss), read by the
 * projector with the stage's default settings, opens no review item.
 */
import { expect, it } from "vitest";
import { demoPeople, loadDemoAwards, loadDemoEvents, loadDemoFund, loadDemoIndices, type Send } from "../../scripts/demo-data.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { as } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver, projectorPoller } from "../support/webhooks.ts";

const course = "com.tianma.learning.course.completed";
const scores = [92, 85, 70, 88, 78, 95, 64, 81, 90, 83];

it("opens no review item for the demo company and a month of ordinary learning", async () => {
  const { admin, secrets } = await withDemoDefinitions();
  const send: Send = (method, url, body, key) =>
    method === "PUT" ? admin.put(url, body) : admin.post(url, body, key ? { "idempotency-key": key } : undefined);
  await loadDemoAwards(send);
  await loadDemoEvents(dispatch, secrets["tianma-learning"] as string);
  await loadDemoIndices(send);
  await loadDemoFund(dispatch, (personId, roles) => issuer.sign(personId, roles));
  const learners = demoPeople.filter((p) => p.tier === "base").map((p) => p.personId);
  const month = learners.flatMap((personId, i) =>
    Array.from({ length: 30 }, (_, day) => day)
      .filter((day) => (day + i) % 3 === 0)
      .map((day, n) =>
        cloudEvent(
          course,
          personId,
          { courseId: `m-${day}`, score: scores[(n + i) % scores.length] },
          { time: new Date(Date.now() - (29 - day) * 86_400_000 - 60_000).toISOString() },
        ),
      ),
  );
  for (let start = 0; start < month.length; start += 50) {
    const { body } = await deliver("tianma-learning", month.slice(start, start + 50), { secret: secrets["tianma-learning"] as string });
    expect(body.results.filter((r: { status: string }) => r.status !== "accepted")).toEqual([]);
  }
  const poller = await projectorPoller();
  expect(await poller.drain()).toBeGreaterThan(month.length);
  const approver = await as("jiang-wen", "approver", "manager");
  expect((await approver.get("/admin/reviews")).body.items).toEqual([]);
});
