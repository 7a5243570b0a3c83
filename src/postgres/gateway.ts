import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ConnectionSettings } from '../api/connection.js';
import type { PostgresAction } from '../reconcile/actions.js';
import type { ObservedDatabase, ObservedPassword, ObservedRole, ObservedServer } from '../reconcile/observed.js';
import { executeActions } from './execute.js';
import { databaseLockKey, roleLockKey } from './lock-keys.js';
import { observeDatabase, observeDatabaseOwner, observeRole, observeServer } from './observe.js';
import { groupRoleComment, isGroupRoleComment } from './ownership-marker.js';
import { storedEncryption, storedHashMatches, type PasswordEncryption } from './password-hash.js';
import type { PostgresPools } from './pools.js';
import * as sql from './statements.js';

export interface UserTarget {
  connection: ConnectionSettings;
  database: string;
  username: string;
}

export interface IntendedPassword {
  value: string;
  encryption: PasswordEncryption;
}

export interface Observation {
  server: ObservedServer;
  database: ObservedDatabase;
  role: ObservedRole | undefined;
  password: ObservedPassword;
}

export interface Timeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** What the caller decides from an observation made under the lock: the actions to run. */
export type Decide = (observation: Observation) => Promise<PostgresAction[]>;

const unknownPassword: ObservedPassword = { matches: undefined, encryption: undefined };
/** The admin's identity and superuser flag rarely change: re-read at most this often. */
const serverCacheMs = 60_000;
/**
 * Group privileges are shared by every user of a database: once verified complete, other users' passes
 * trust that for this long (drift in them is repaired within the resync interval plus this).
 */
const groupsCacheMs = 5_000;

function isGroupAction(action: PostgresAction): boolean {
  return action.kind === 'createGroup' || action.kind === 'grantGroupPrivileges';
}

/**
 * The operator's only door to PostgreSQL: observe without locks (the fast, write-free path), and
 * apply under an advisory lock inside one transaction, re-observing first so the decision is made
 * on what is true while the lock is held.
 */
export class PostgresGateway {
  private readonly servers = new Map<string, { server: ObservedServer; at: number }>();
  private readonly completeGroups = new Map<string, number>();
  /**
   * Verdicts of "does the stored hash match this password", by role: recomputing a SCRAM verifier
   * (4096 PBKDF2 rounds) on every idle pass is the largest cost of a resync, and the answer cannot
   * change while the stored hash and the password are the same bytes.
   */
  private readonly passwordVerdicts = new Map<string, { fingerprint: string; matches: boolean }>();

  constructor(
    private readonly pools: PostgresPools,
    private readonly timeouts: Timeouts,
  ) {}

  private serverKey(target: UserTarget): string {
    const { host, port, username } = target.connection;
    return JSON.stringify([host, port, username]);
  }

  private async server(client: pg.ClientBase, target: UserTarget): Promise<ObservedServer> {
    const key = this.serverKey(target);
    const cached = this.servers.get(key);
    if (cached && Date.now() - cached.at < serverCacheMs) return cached.server;
    const server = await observeServer(client);
    this.servers.set(key, { server, at: Date.now() });
    return server;
  }

  private async database(client: pg.ClientBase, target: UserTarget, fresh: boolean): Promise<ObservedDatabase> {
    const key = `${this.serverKey(target)}/${target.database}`;
    const verifiedAt = this.completeGroups.get(key);
    if (!fresh && verifiedAt !== undefined && Date.now() - verifiedAt < groupsCacheMs) {
      const complete = { exists: true, comment: groupRoleComment, privilegesComplete: true };
      return { ...(await observeDatabaseOwner(client)), groups: { readonly: complete, readwrite: { ...complete } } };
    }
    const database = await observeDatabase(client);
    const { readonly, readwrite } = database.groups;
    if (readonly.privilegesComplete && readwrite.privilegesComplete && isGroupRoleComment(readonly.comment) && isGroupRoleComment(readwrite.comment)) {
      this.completeGroups.set(key, Date.now());
    } else {
      this.completeGroups.delete(key);
    }
    return database;
  }

  private async passwordOf(target: UserTarget, stored: string | null | undefined, intended: IntendedPassword | undefined): Promise<ObservedPassword> {
    if (intended === undefined) return unknownPassword;
    if (stored !== undefined) {
      const encryption = storedEncryption(stored);
      const key = `${this.serverKey(target)}/${target.username}`;
      const fingerprint = createHash('sha256').update(JSON.stringify([stored, intended.value, intended.encryption])).digest('base64');
      const known = this.passwordVerdicts.get(key);
      if (known?.fingerprint === fingerprint) return { matches: known.matches, encryption };
      const matches = await storedHashMatches(stored, intended.value, target.username, encryption ?? intended.encryption);
      this.passwordVerdicts.set(key, { fingerprint, matches });
      return { matches, encryption };
    }
    // Without pg_authid, the only proof is a login with the password.
    return { matches: await this.pools.verifyLogin(target.connection, target.database, target.username, intended.value), encryption: undefined };
  }

  private async observeWith(client: pg.ClientBase, target: UserTarget, intended: IntendedPassword | undefined, freshGroups = false): Promise<Observation> {
    const server = await this.server(client, target);
    const database = await this.database(client, target, freshGroups);
    const observed = await observeRole(client, target.username, target.database, server.adminIsSuperuser);
    const password = observed === undefined ? unknownPassword : await this.passwordOf(target, observed.storedPassword, intended);
    return { server, database, role: observed?.role, password };
  }

  /** Reads the server, the database and the role. No lock, no write. */
  async observe(target: UserTarget, intended: IntendedPassword | undefined): Promise<Observation> {
    const client = await this.pools.connect(target.connection, target.database);
    try {
      return await this.observeWith(client, target, intended);
    } finally {
      client.release();
    }
  }

  /**
   * Takes the role's advisory lock (in the connection's database, so every reconcile of this role
   * meets there), re-observes, asks `decide` for the actions and runs them in one transaction. Group
   * changes additionally take the database's lock (always after the role's: no deadlock) and look at
   * the groups afresh. Returns the actions that were run.
   */
  async applyLocked(target: UserTarget, intended: IntendedPassword | undefined, decide: Decide): Promise<PostgresAction[]> {
    let touchesGroups = false;
    try {
      return await this.withRoleLock(target, async (work, lock) => {
        let actions = await decide(await this.observeWith(work, target, intended));
        if (actions.some(isGroupAction)) {
          touchesGroups = true;
          await lock.query(sql.advisoryXactLock(...databaseLockKey(target.database)));
          actions = await decide(await this.observeWith(work, target, intended, true));
        }
        await executeActions(work, actions);
        return actions;
      });
    } catch (error) {
      touchesGroups = true;
      throw error;
    } finally {
      // Groups changed (or may have, if the transaction failed): look at them afresh next time.
      if (touchesGroups) this.completeGroups.delete(`${this.serverKey(target)}/${target.database}`);
    }
  }

  /**
   * Drops the role without destroying data: in every database where it owns objects or holds
   * privileges (pg_shdepend), objects it owns are reassigned to that database's owner (or to the
   * admin, when the admin may not act as that owner or the role owns the database) and only then
   * are its remaining privileges dropped; finally the role itself. `mayDrop` re-checks ownership
   * under the lock; false leaves the role alone.
   */
  async dropRole(target: UserTarget, mayDrop: (observation: Observation) => boolean): Promise<'dropped' | 'absent' | 'refused'> {
    return this.withRoleLock(target, async (work) => {
      const observation = await this.observeWith(work, target, undefined);
      if (observation.role === undefined) return 'absent';
      if (!mayDrop(observation)) return 'refused';
      // REASSIGN and DROP OWNED need the role's privileges; committed now, as they run on other connections.
      if (!observation.role.adminActsAs) await this.holdRole(target);
      // Template databases, and databases the admin may not connect to, are left alone (connecting to
      // a template would block CREATE DATABASE). A role owning objects there makes DROP ROLE fail
      // with 2BP01, which is reported, not forced.
      const databases = await work.query<{ name: string }>(sql.databasesWithDependentsOf, [target.username, target.database]);
      for (const { name } of databases.rows) await this.clearRoleInDatabase(target, name);
      await work.query(sql.dropRole(target.username));
      this.passwordVerdicts.delete(`${this.serverKey(target)}/${target.username}`);
      return 'dropped';
    });
  }

  private async holdRole(target: UserTarget): Promise<void> {
    const client = await this.pools.connect(target.connection, target.database);
    try {
      await client.query(sql.grantRoleToAdmin(target.username));
    } finally {
      client.release();
    }
  }

  private async clearRoleInDatabase(target: UserTarget, database: string): Promise<void> {
    // The user's and the admin's databases are used all the time; others get a one-off connection.
    if (database === target.database || database === target.connection.database) {
      const client = await this.pools.connect(target.connection, database);
      try {
        await this.reassignAndDropOwned(client, target.username, database);
      } finally {
        client.release();
      }
      return;
    }
    const client = await this.pools.connectOnce(target.connection, database);
    try {
      await this.reassignAndDropOwned(client, target.username, database);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async reassignAndDropOwned(client: pg.ClientBase, username: string, database: string): Promise<void> {
    const ownsObjects = async () => (await client.query<{ owns: boolean }>(sql.ownsObjectsInCurrentDatabase, [username])).rows[0]?.owns === true;
    try {
      await client.query([sql.begin, ...sql.transactionTimeouts(this.timeouts.lockTimeoutMs, this.timeouts.statementTimeoutMs)].join('; '));
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

  private async withRoleLock<T>(target: UserTarget, body: (work: pg.ClientBase, lock: pg.ClientBase) => Promise<T>): Promise<T> {
    const lock = await this.pools.connect(target.connection, target.connection.database);
    let work: pg.PoolClient | undefined;
    const begun: pg.ClientBase[] = [];
    let failure: Error | undefined;
    const begin = async (client: pg.ClientBase, ...then: string[]): Promise<void> => {
      begun.push(client);
      // One round trip: BEGIN, the timeouts and (for the lock connection) the lock itself.
      await client.query([sql.begin, ...sql.transactionTimeouts(this.timeouts.lockTimeoutMs, this.timeouts.statementTimeoutMs), ...then].join('; '));
    };
    try {
      await begin(lock, sql.advisoryXactLock(...roleLockKey(target.username)));
      if (target.database === target.connection.database) {
        work = undefined;
      } else {
        work = await this.pools.connect(target.connection, target.database);
        await begin(work);
      }
      const result = await body(work ?? lock, lock);
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
}
