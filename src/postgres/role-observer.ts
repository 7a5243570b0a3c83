import { createHash } from 'node:crypto';
import type pg from 'pg';
import { groupRoleComment, isGroupRoleComment } from '../model/ownership-marker.js';
import { uncheckedPassword, type ObservedDatabase, type ObservedServer, type PasswordVerdict, type RoleObservation } from '../model/observed.js';
import { executeRoleStatement, observeDatabase, observeRole, observeServer, roleFromRows, roleStatement } from './observe.js';
import { storedEncryption, storedHashMatches } from './password-hash.js';
import type { PostgresPools } from './pools.js';
import { verifierDigest } from '../model/password-verifier.js';
import type { CandidatePassword, RoleTarget } from '../model/role-target.js';

/**
 * How a stored password was compared with a candidate: by the sealed record of the verifier the
 * operator set (ADR 28), by a verdict remembered from earlier, by recomputing the hash (4,096 PBKDF2
 * rounds for SCRAM), or by a login where pg_authid cannot be read.
 */
export type PasswordCheck = 'recorded' | 'remembered' | 'recomputed' | 'login';

/** The role query's rows, and which form of it was run (reading pg_authid's password hash or not). */
export interface RoleRows {
  rows: readonly unknown[];
  readPassword: boolean;
}

/** The admin's identity and superuser flag rarely change: re-read at most this often. */
const serverCacheMs = 60_000;
/**
 * Group privileges are shared by every user of a database: once verified complete, other users' passes
 * trust that for this long (drift in them is repaired within the resync interval plus this).
 */
const groupsCacheMs = 5_000;

/**
 * Reads a role, its database and its server in as few queries as it can, with three caches that
 * keep an idle resync cheap: the admin's identity, groups recently verified complete, and verdicts
 * of "does the stored hash match this password" (recomputing a SCRAM verifier, 4096 PBKDF2 rounds,
 * is the largest cost of a resync, and the answer cannot change while both are the same bytes).
 */
export class RoleObserver {
  private readonly servers = new Map<string, { server: ObservedServer; at: number }>();
  /** Databases whose groups were verified complete, with when, and the database's name and owner then. */
  private readonly completeGroups = new Map<string, { at: number; name: string; owner: string }>();
  /**
   * By server, by role name: the fingerprint of (stored hash, candidate password) with the verdict as
   * its last character. One entry per managed role, so kept small: the role name is the spec's own
   * string, and no object per entry.
   */
  private readonly passwordVerdicts = new Map<string, Map<string, string>>();
  /** Servers (behind a transaction pooler) on which a named statement was gone on the next use. */
  private readonly unpreparedServers = new Set<string>();
  /** The SQL-level prepared statements each connection has (they last as long as the session). */
  private readonly sqlPrepared = new WeakMap<pg.ClientBase, Set<string>>();

  constructor(
    private readonly pools: PostgresPools,
    private readonly onPasswordCheck: (how: PasswordCheck) => void = () => undefined,
  ) {}

  private serverKey(target: RoleTarget): string {
    const { host, port, username } = target.connection;
    return JSON.stringify([host, port, username]);
  }

  private databaseKey(target: RoleTarget): string {
    return `${this.serverKey(target)}/${target.database}`;
  }

  /**
   * One observation on `client`, connected to the role's database; `freshGroups` bypasses the group
   * cache. `roleRows`: the role query's rows, already read in the round trip that began the
   * transaction (see roleLookAhead).
   */
  async observe(
    client: pg.ClientBase,
    target: RoleTarget,
    candidate: CandidatePassword | undefined,
    freshGroups: boolean,
    roleRows?: RoleRows,
  ): Promise<RoleObservation> {
    const server = await this.server(client, target);
    const database = await this.database(client, target, freshGroups);
    // Read as the rows were asked for (with the password hash or without), whatever the server says now.
    const observed =
      roleRows === undefined
        ? await this.role(client, target, server.adminIsSuperuser)
        : roleFromRows(roleRows.rows, target.username, target.database, roleRows.readPassword);
    const password =
      observed === undefined || candidate === undefined ? uncheckedPassword : await this.verdict(client, target, observed.storedPassword, candidate);
    return { server, database, role: observed?.role, password };
  }

  private async role(client: pg.ClientBase, target: RoleTarget, readPassword: boolean) {
    const key = this.serverKey(target);
    try {
      return await observeRole(client, target.username, target.database, readPassword, !this.unpreparedServers.has(key));
    } catch (error) {
      // 26000: the pooler handed this session another server connection, which never saw the
      // statement. This reconcile fails and is retried; the next ones use unnamed statements.
      if ((error as { code?: unknown }).code === '26000') this.unpreparedServers.add(key);
      throw error;
    }
  }

  /**
   * Statements that read the role, to be sent after the lock in the same round trip (their rows come
   * last), or undefined when they cannot be: the admin not yet known (which form of the query), or a
   * server behind a pooler that keeps no prepared statement. `prepared` must be called once the
   * round trip succeeded.
   */
  roleLookAhead(client: pg.ClientBase, target: RoleTarget): { statements: string[]; readPassword: boolean; prepared: () => void } | undefined {
    const key = this.serverKey(target);
    const server = this.servers.get(key);
    if (server === undefined || this.unpreparedServers.has(key)) return undefined;
    const readPassword = server.server.adminIsSuperuser;
    const { name, prepare } = roleStatement(readPassword);
    const known = this.sqlPrepared.get(client) ?? new Set<string>();
    const statements = [...(known.has(name) ? [] : [prepare]), executeRoleStatement(readPassword, target.username)];
    return {
      statements,
      readPassword,
      prepared: () => {
        this.sqlPrepared.set(client, known.add(name));
      },
    };
  }

  /** A look-ahead failed because the server kept no prepared statement (a pooler): from now on, none. */
  lookAheadFailed(target: RoleTarget, error: unknown): void {
    const code = (error as { code?: unknown }).code;
    // 26000: no such prepared statement (another server connection); 42P05: it exists already there.
    if (code === '26000' || code === '42P05') this.unpreparedServers.add(this.serverKey(target));
  }

  /** Groups changed, or may have (a failed transaction): look at them afresh next time. */
  forgetGroups(target: RoleTarget): void {
    this.completeGroups.delete(this.databaseKey(target));
  }

  forgetRole(target: RoleTarget): void {
    this.passwordVerdicts.get(this.serverKey(target))?.delete(target.username);
  }

  private async server(client: pg.ClientBase, target: RoleTarget): Promise<ObservedServer> {
    const key = this.serverKey(target);
    const cached = this.servers.get(key);
    if (cached && Date.now() - cached.at < serverCacheMs) return cached.server;
    const server = await observeServer(client);
    this.servers.set(key, { server, at: Date.now() });
    return server;
  }

  private async database(client: pg.ClientBase, target: RoleTarget, fresh: boolean): Promise<ObservedDatabase> {
    const key = this.databaseKey(target);
    const verified = this.completeGroups.get(key);
    if (!fresh && verified !== undefined && Date.now() - verified.at < groupsCacheMs) {
      // The owner is trusted for as long as the groups: each query saved is a round trip per reconcile.
      const complete = { exists: true, comment: groupRoleComment, privilegesComplete: true };
      return { name: verified.name, owner: verified.owner, groups: { readonly: complete, readwrite: { ...complete } } };
    }
    const database = await observeDatabase(client);
    const { readonly, readwrite } = database.groups;
    if (readonly.privilegesComplete && readwrite.privilegesComplete && isGroupRoleComment(readonly.comment) && isGroupRoleComment(readwrite.comment)) {
      this.completeGroups.set(key, { at: Date.now(), name: database.name, owner: database.owner });
    } else {
      this.completeGroups.delete(key);
    }
    return database;
  }

  /** `client`: the connection held meanwhile, which a login check nests under (connection-bound.ts). */
  private async verdict(client: pg.ClientBase, target: RoleTarget, stored: string | null | undefined, candidate: CandidatePassword): Promise<PasswordVerdict> {
    if (stored === undefined) {
      // Without pg_authid, the only proof is a login with the password.
      this.onPasswordCheck('login');
      return { matches: await this.pools.verifyLogin(target.connection, target.database, target.username, candidate.value, client), encryption: undefined };
    }
    const encryption = storedEncryption(stored);
    const serverKey = this.serverKey(target);
    // 128 bits of SHA-256 tell two inputs apart as surely as all 256 for this cache.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([stored, candidate.value, candidate.encryption]))
      .digest()
      .subarray(0, 16)
      .toString('base64');
    const known = this.passwordVerdicts.get(serverKey)?.get(target.username);
    if (known?.startsWith(fingerprint) === true) {
      this.onPasswordCheck('remembered');
      return { matches: known.endsWith('+'), encryption };
    }
    // The operator set this very verifier for this password (its sealed record says so): no need to recompute it.
    const recorded = stored !== null && candidate.verifierDigest !== undefined && verifierDigest(stored) === candidate.verifierDigest;
    this.onPasswordCheck(recorded ? 'recorded' : 'recomputed');
    const matches = recorded || (await storedHashMatches(stored, candidate.value, target.username, encryption ?? candidate.encryption));
    let verdicts = this.passwordVerdicts.get(serverKey);
    if (verdicts === undefined) {
      verdicts = new Map();
      this.passwordVerdicts.set(serverKey, verdicts);
    }
    verdicts.set(target.username, `${fingerprint}${matches ? '+' : '-'}`);
    return { matches, encryption };
  }
}
