import { BusyError, ContentionError } from "./errors.ts";

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 8, baseDelayMs: 10, maxDelayMs: 400 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` again while it loses races, with bounded, fully jittered exponential backoff
 * (so that contenders spread out). After the last attempt the caller hears "busy, retry later".
 */
export async function retryOnContention<T>(attempt: () => Promise<T>, policy: RetryPolicy = defaultRetryPolicy): Promise<T> {
  const wait = policy.sleep ?? sleep;
  const random = policy.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ContentionError)) throw error;
      if (n >= policy.attempts) {
        throw new BusyError("Too many simultaneous changes to the same account; retry in a moment.", { cause: error });
      }
      await wait(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n));
    }
  }
}
