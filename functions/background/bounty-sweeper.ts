/** Lambda (scheduled): expires the open bounties past their deadline, releasing their fund money. */
import middy from "@middy/core";
import { bounties } from "../api/bounties.ts";
import { createLogger, observe } from "../http/log.ts";

const log = createLogger("bounty-sweeper");

async function sweep(): Promise<{ expired: string[] }> {
  const expired = await bounties.expireDue();
  log.info("bounties expired", { count: expired.length, bountyIds: expired.join(",") });
  return { expired };
}

export const handler = middy<unknown, { expired: string[] }>().use(observe(log)).handler(sweep);
