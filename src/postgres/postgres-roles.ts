import type pg from 'pg';
import type { RoleObservation } from '../model/observed.js';
import type { PasswordEncryption } from '../model/password-encryption.js';
import { isGroupAction } from '../model/role-actions.js';
import { asPostgresError } from './errors.js';
import { executeAndCommit, verifier } from './execute.js';
import { databaseLockKey, roleLockKey } from './lock-keys.js';
import type { PostgresPools } from './pools.js';
import { RoleObserver, type PasswordCheck, type RoleRows } from './role-observer.js';
import type { LockedRole } from '../model/locked-role.js';
import type { PostgresPort } from '../reconcile/ports.js';
import type { CandidatePassword, RoleTarget } from '../model/role-target.js';
import * as sql from './statements.js';

export interface Timeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * The operator's door to PostgreSQL roles: observe without locks (the fast, write-free path), and
 * change a role only under its advisory lock, in one transaction. Errors from PostgreSQL or the
 * network come out as PostgresError.
 */
export class PostgresRoles implements PostgresPort {
  private readonly observer: RoleObserver;

  constructor(
    private readonly pools: PostgresPools,
    private readonly timeouts: Timeouts,
    onPasswordCheck?: (how: PasswordCheck) => void,
  ) {
    this.observer = new RoleObserver(pools, onPasswordCheck);
  }

  prepareVerifier(password: string, username: string, encryption: PasswordEncryption): Promise<string> {
    return verifier(password, username, encryption);
  }

  /** Reads the server, the database and the role, comparing the stored password with `candidate`. No lock, no write. */
  async observe(target: RoleTarget, candidate: CandidatePassword | undefined): Promise<RoleObservation> {
    try {
      const client = await this.pools.connect(target.connection, target.database);
      try {
        return await this.observer.observe(client, target, candidate, false);
      } finally {
        client.release();
      }
    } catch (error) {
      throw asPostgresError(error);
    }
  }

  /**
   * Runs `body` while holding the role's advisory lock (taken in the connection's own database, so
   * every reconcile of this role meets there, whatever its database), in a transaction on the role's
   * database that commits when `body` resolves and rolls back when it throws.
   */
  async withRoleLock<T>(target: RoleTarget, body: (role: LockedRole) => Promise<T>): Promise<T> {
    let groupsTouched = false;
    try {
      return await this.inLockedTransaction(target, (transaction) => {
        const { work, lock } = transaction;
        let roleRows = transaction.roleRows;
        let freshGroups = false;
        let executed = false;
        const open = () => {
          if (executed) throw new Error('withRoleLock: execute() must be the last call of the body');
        };
        return body({
          observe: (candidate) => {
            open();
            // The first look was read with the lock, in the same round trip; later ones ask again.
            const rows = roleRows;
            roleRows = undefined;
            return this.observer.observe(work, target, candidate, freshGroups, rows);
          },
          lockGroups: async () => {
            open();
            await lock.query(sql.advisoryXactLock(...databaseLockKey(target.database)));
            freshGroups = true;
          },
          execute: async (actions) => {
            open();
            executed = true;
            if (actions.some(isGroupAction)) groupsTouched = true;
            await executeAndCommit(work, actions);
            transaction.committed(work);
          },
          drop: async (observation) => {
            open();
            await this.drop(work, target, observation);
          },
        });
      });
    } catch (error) {
      groupsTouched = true;
      throw asPostgresError(error);
    } finally {
      if (groupsTouched) this.observer.forgetGroups(target);
    }
  }

  /**
   * `body` gets the two connections (the same one when the role's database is the connection's) and
   * says when it committed the work itself; whatever is still open commits when it resolves.
   */
  private async inLockedTransaction<T>(
    target: RoleTarget,
    body: (transaction: {
      work: pg.ClientBase;
      lock: pg.ClientBase;
      committed: (client: pg.ClientBase) => void;
      /** The role query's rows, read right after the lock in the round trip that began the work's transaction. */
      roleRows: RoleRows | undefined;
    }) => Promise<T>,
  ): Promise<T> {
    const lock = await this.pools.connect(target.connection, target.connection.database);
    let work: pg.PoolClient | undefined;
    const begun: pg.ClientBase[] = [];
    let failure: Error | undefined;
    let roleRows: RoleRows | undefined;
    /** One round trip: BEGIN, the pinned search_path and the timeouts, then `then` (the lock), then the look at the role. */
    const begin = async (client: pg.ClientBase, then: string[], lookAhead: boolean): Promise<void> => {
      begun.push(client);
      const look = lookAhead ? this.observer.roleLookAhead(client, target) : undefined;
      const statements = [sql.begin, ...this.transactionSettings(), ...then, ...(look?.statements ?? [])];
      try {
        const results = (await client.query(statements.join('; '))) as unknown as pg.QueryResult[] | pg.QueryResult;
        if (look === undefined) return;
        look.prepared();
        const rows = (Array.isArray(results) ? results.at(-1) : results)?.rows ?? [];
        roleRows = { rows, readPassword: look.readPassword };
      } catch (error) {
        if (look !== undefined) this.observer.lookAheadFailed(target, error);
        throw error;
      }
    };
    try {
      const sameDatabase = target.database === target.connection.database;
      await begin(lock, [sql.advisoryXactLock(...roleLockKey(target.username))], sameDatabase);
      if (!sameDatabase) {
        work = await this.pools.connect(target.connection, target.database, lock);
        await begin(work, [], true);
      }
      const committed = (client: pg.ClientBase) => {
        begun.splice(begun.indexOf(client), 1);
      };
      const result = await body({ work: work ?? lock, lock, committed, roleRows });
      // Commit the work before the lock's transaction releases the lock.
      for (const client of [...begun].reverse()) await client.query('COMMIT');
      return result;
    } catch (error) {
      for (const client of begun) await client.query('ROLLBACK').catch(() => undefined);
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // A client that failed is discarded rather than returned to the pool in an unknown state.
      work?.release(failure);
      lock.release(failure);
    }
  }

  private transactionSettings(): string[] {
    return sql.transactionSettings(this.timeouts.lockTimeoutMs, this.timeouts.statementTimeoutMs);
  }

  private async drop(work: pg.ClientBase, target: RoleTarget, observation: RoleObservation): Promise<void> {
    // REASSIGN and DROP OWNED need the role's privileges; committed now, as they run on other connections.
    if (observation.role?.adminActsAs === false) await this.holdRole(target, work);
    // Template databases, and databases the admin may not connect to, are left alone (connecting to
    // a template would block CREATE DATABASE). A role owning objects there makes DROP ROLE fail
    // with 2BP01, which is reported, not forced.
    const databases = await work.query<{ name: string }>(sql.databasesWithDependentsOf, [target.username, target.database]);
    for (const { name } of databases.rows) await this.clearRoleInDatabase(target, name, work);
    await work.query(sql.dropRole(target.username));
    this.observer.forgetRole(target);
  }

  /** `within`: the connection this reconcile holds meanwhile (the bound admits nested requests first). */
  private async holdRole(target: RoleTarget, within: pg.ClientBase): Promise<void> {
    const client = await this.pools.connect(target.connection, target.database, within);
    try {
      await client.query(sql.grantRoleToAdmin(target.username));
    } finally {
      client.release();
    }
  }

  private async clearRoleInDatabase(target: RoleTarget, database: string, within: pg.ClientBase): Promise<void> {
    // The user's and the admin's databases are used all the time; others get a one-off connection.
    if (database === target.database || database === target.connection.database) {
      const client = await this.pools.connect(target.connection, database, within);
      try {
        await this.reassignAndDropOwned(client, target.username, database);
      } finally {
        client.release();
      }
      return;
    }
    const client = await this.pools.connectOnce(target.connection, database, within);
    try {
      await this.reassignAndDropOwned(client, target.username, database);
    } finally {
      client.release(true);
    }
  }

  private async reassignAndDropOwned(client: pg.ClientBase, username: string, database: string): Promise<void> {
    const ownsObjects = async () => (await client.query<{ owns: boolean }>(sql.ownsObjectsInCurrentDatabase, [username])).rows[0]?.owns === true;
    try {
      await client.query([sql.begin, ...this.transactionSettings()].join('; '));
      // REASSIGN needs the privileges of both roles, even when there is nothing to move: only run it when there is.
      if (await ownsObjects()) {
        const heir = (await client.query<{ heir: string }>(sql.heirInCurrentDatabase, [username])).rows[0]?.heir;
        if (heir === undefined) throw new Error(`database "${database}" has no owner to reassign to`);
        await client.query(sql.reassignOwned(username, heir));
        // DROP OWNED would drop whatever is still owned: only run it once nothing is.
        if (await ownsObjects()) throw new Error(`role "${username}" still owns objects in database "${database}" after REASSIGN OWNED`);
      }
      // Removes its privileges and default privileges (which REASSIGN never moves).
      await client.query(sql.dropOwned(username));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
