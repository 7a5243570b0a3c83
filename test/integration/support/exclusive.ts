import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readHarnessState } from '../../harness/harness-state.js';
import { waitFor } from '../../harness/wait.js';

/**
 * A lock shared by the run's test files (each runs in its own worker): roles are global to the
 * PostgreSQL server, so two files that create the examples' usernames must not overlap. mkdir is
 * atomic; the directory lives in the run's own directory, so a crashed run leaves nothing behind.
 */
export async function acquireRunLock(name: string): Promise<() => void> {
  const lock = path.join(readHarnessState().dir, `${name}.lock`);
  await waitFor(
    `the run lock "${name}"`,
    () => {
      try {
        mkdirSync(lock);
        return Promise.resolve(true);
      } catch (error) {
        if ((error as { code?: string }).code === 'EEXIST') return Promise.resolve(undefined);
        throw error;
      }
    },
    { timeoutMs: 240_000, intervalMs: 250 },
  );
  return () => {
    rmSync(lock, { recursive: true, force: true });
  };
}

/** The lock for the usernames of examples/ (my_app_4553…). */
export const exampleUsernamesLock = 'example-usernames';
