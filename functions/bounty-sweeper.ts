/** Lambda (scheduled): expires the open bounties past their deadline, releasing their fund money. */

import { bounties } from "./bounties.ts";
import { createLogger } from "./http/log.ts";

export async function handler(): Promise<{ expired: string[] }> {
  const expired = await bounties.expireDue();
  createLogger({ area: "bounty-sweeper" }).info("bounties expired", { count: expired.length, bountyIds: expired.join(",") });
  return { expired };
}
