import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early, e.g. when the process being waited for has exited. */
  abortIf?: () => string | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined. The last error thrown by the probe is
 * attached to the timeout error, so a failing start says why.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted !== undefined) throw new Error(`${what}: ${aborted}`, { cause: lastError });
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${reason}`, { cause: lastError });
    }
    await sleep(options.intervalMs ?? 100);
  }
}
