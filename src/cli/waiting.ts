import type { WaitHooks } from '../client/outcome.js';
import type { CliIo } from './io.js';

/**
 * Runs an operation whose end is a wait for the operator, with what the command line adds to it: one
 * line on stderr when the wait starts, on a terminal only (a script's stderr stays for errors), and
 * Ctrl-C, which ends the wait, not the process, so the command can say what was done and what the
 * operator will still do (the operation throws StillPending; run.ts exits 130). Ctrl-C during the
 * writes before the wait lets them finish, then ends the wait at once.
 */
export async function withWait<T>(io: CliIo, waitingFor: string, operation: (hooks: WaitHooks) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const release = io.onInterrupt(() => {
    stop.abort();
  });
  const onWaiting = () => {
    io.stderr.write(`Waiting for the operator to ${waitingFor}…\n`);
  };
  try {
    return await operation({ interrupt: stop.signal, ...(io.stderr.isTTY === true ? { onWaiting } : {}) });
  } finally {
    release();
  }
}
