export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with ±20 % jitter, so failing workers do not retry in lockstep. */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
