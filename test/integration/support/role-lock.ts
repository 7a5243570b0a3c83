import pg from 'pg';
import { roleLockKey } from '../../../src/postgres/lock-keys.js';
import { waitFor } from '../../harness/wait.js';

/** A role's advisory lock held by the test: the operator writes a new password's Secret, then waits here. */
export interface HeldRoleLock {
  /** Resolves once the operator is waiting for the lock (its lock_timeout must outlast the check). */
  operatorWaiting: () => Promise<unknown>;
  /** Lets the operator go on (idempotent). */
  release: () => Promise<void>;
}

/** Takes the operator's lock of `username` in the database `adminUri` points at, as crash-safety.test.ts does. */
export async function holdRoleLock(adminUri: string, username: string): Promise<HeldRoleLock> {
  const blocker = new pg.Client({ connectionString: adminUri });
  await blocker.connect();
  const [classId, objId] = roleLockKey(username);
  await blocker.query('SELECT pg_advisory_lock($1::int4, $2::int4)', [classId, objId]);
  let released = false;
  return {
    operatorWaiting: () =>
      waitFor(
        'the operator to wait for the role lock',
        async () => {
          const waiting = await blocker.query(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = ($1::int4::bigint & 4294967295) AND objid::bigint = ($2::int4::bigint & 4294967295)",
            [classId, objId],
          );
          return waiting.rowCount ? true : undefined;
        },
        { timeoutMs: 30_000 },
      ),
    release: async () => {
      if (released) return;
      released = true;
      await blocker.end();
    },
  };
}
