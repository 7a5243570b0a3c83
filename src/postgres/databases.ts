import type pg from 'pg';
import type { ConnectionSettings } from '../api/connection.js';
import type { DatabaseAction, DesiredDatabase, LockedDatabase, ObservedDatabaseObjects } from '../model/database-plan.js';
import type { DatabasePort } from '../reconcile/ports.js';
import * as sql from './database-statements.js';
import { asPostgresError } from './errors.js';
import { databaseObjectsLockKey } from './lock-keys.js';
import type { PostgresPools } from './pools.js';

interface Timeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * Databases and their owner roles (DESIGN §13), on the server's maintenance database (the admin
 * Secret's dbname): each one serialised by a session advisory lock there, since CREATE DATABASE
 * cannot run inside a transaction. Errors come out as PostgresError.
 */
export class PostgresDatabases implements DatabasePort {
  constructor(
    private readonly pools: PostgresPools,
    private readonly timeouts: Timeouts,
  ) {}

  async serverVersion(connection: ConnectionSettings): Promise<string> {
    try {
      const client = await this.pools.connect(connection, connection.database);
      try {
        return (await client.query<{ version: string }>(sql.serverVersion)).rows[0]?.version ?? '';
      } finally {
        client.release();
      }
    } catch (error) {
      throw asPostgresError(error);
    }
  }

  async withDatabaseLock<T>(connection: ConnectionSettings, desired: DesiredDatabase, body: (database: LockedDatabase) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    let failure: Error | undefined;
    const key = databaseObjectsLockKey(desired.name);
    try {
      client = await this.pools.connect(connection, connection.database);
      const session = client;
      await session.query(`${sql.sessionTimeouts(this.timeouts.lockTimeoutMs, this.timeouts.statementTimeoutMs)}; ${sql.advisoryLock(...key)}`);
      try {
        return await body({
          observe: () => observe(session, desired),
          execute: (actions) => execute(session, actions),
          drop: async () => {
            // Our own idle connections to it would only be ended by FORCE: close them first.
            await this.pools.closeDatabase(connection, desired.name);
            await session.query(sql.dropDatabase(desired.name));
            await session.query(sql.dropRole(desired.owner));
          },
        });
      } finally {
        await session.query(`${sql.advisoryUnlock(...key)}; ${sql.resetTimeouts}`);
      }
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw asPostgresError(error);
    } finally {
      // A session that failed (its lock perhaps still held) is discarded, never pooled again.
      client?.release(failure);
    }
  }
}

async function observe(client: pg.ClientBase, desired: DesiredDatabase): Promise<ObservedDatabaseObjects> {
  const admin = (await client.query<{ admin: string; superuser: boolean }>(sql.observeAdmin)).rows[0];
  if (admin === undefined) throw new Error('could not read the connection role');
  const database = (await client.query<{ owner: string; comment: string | null; publicCanConnect: boolean }>(sql.observeDatabase, [desired.name])).rows[0];
  const ownerRole = (await client.query<{ comment: string | null; adminHoldsIt: boolean }>(sql.observeOwnerRole, [desired.owner])).rows[0];
  return { adminUsername: admin.admin, adminIsSuperuser: admin.superuser, database, ownerRole };
}

async function execute(client: pg.ClientBase, actions: readonly DatabaseAction[]): Promise<void> {
  for (const action of actions) {
    switch (action.kind) {
      case 'createOwnerRole':
        await client.query(sql.createOwnerRole(action.owner));
        await client.query(sql.commentOnRole(action.owner, action.comment));
        break;
      case 'holdOwnerRole':
        await client.query(sql.holdRole(action.owner));
        break;
      case 'createDatabase':
        await client.query(sql.createDatabase(action.name, action.owner));
        break;
      case 'setDatabaseOwner':
        await client.query(sql.setDatabaseOwner(action.name, action.owner));
        break;
      case 'markDatabase':
        await client.query(sql.commentOnDatabase(action.name, action.comment));
        break;
      case 'revokePublicAccess':
        await client.query(sql.revokePublicAccess(action.name));
        break;
    }
  }
}
