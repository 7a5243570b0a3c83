import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import pg from 'pg';
import type { DatabaseUser } from '../src/api/database-user.js';
import { inParallel } from '../bench/measure.js';
import type { PostgresEndpoint } from '../test/harness/postgres-server.js';
import type { Ledger } from './workload.js';
import { credentialsSecretName, resetAnnotation } from './workload.js';
import type { Schedule } from './schedule.js';

/** The role comment prefix of the ownership marker (README, Safety): `managed by dbuser-operator: {json}`. */
const markerPrefix = 'managed by dbuser-operator: ';
/** The group roles' comment: theirs is not a user's marker. */
const groupComment = 'managed by dbuser-operator: privileges of the managed users of one database';
const managedBy = 'app.kubernetes.io/managed-by=dbuser-operator';

export interface CheckResult {
  /** Surviving users whose every property was checked. */
  usersChecked: number;
  deletedChecked: number;
  logins: number;
  /** Resets whose replaced password was proven refused. */
  resetsVerified: number;
  /** A surviving user not Ready, without its role, without its Secret, or whose Secret's password does not log in. */
  lost: string[];
  /** A role with our marker and no DatabaseUser, a DatabaseUser without its role, a credentials Secret without its user. */
  orphaned: string[];
  /** Anything else the contract says and the world does not show. */
  wrong: string[];
}

interface RoleRow {
  rolname: string;
  rolcanlogin: boolean;
  comment: string | null;
  member_of: string[];
}

function ready(user: DatabaseUser): { ok: boolean; reason: string } {
  const condition = user.status?.conditions?.find((c) => c.type === 'Ready');
  const ok = condition?.status === 'True' && user.status?.observedGeneration === user.metadata.generation;
  return { ok, reason: condition ? `${condition.status} ${condition.reason}: ${condition.message}` : 'no Ready condition' };
}

function decoded(secret: V1Secret | undefined, key: string): string | undefined {
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/**
 * The end-of-run verdict, from the API server and PostgreSQL directly (the admin's view of both),
 * never from what the operator says about itself beyond the Ready condition the contract defines.
 */
export class ChaosChecker {
  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly postgres: PostgresEndpoint,
    private readonly databases: Map<string, string>,
  ) {}

  private uri(user: string, password: string, database: string): string {
    const { host, port } = this.postgres;
    return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  }

  /** 'ok', 'refused' (28P01) or the failure's SQLSTATE / message. */
  private async login(user: string, password: string, database: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.uri(user, password, database), connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return 'ok';
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === '28P01' ? 'refused' : (code ?? (error instanceof Error ? error.message : String(error)));
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async roles(): Promise<Map<string, RoleRow>> {
    const client = new pg.Client({ connectionString: this.postgres.url });
    await client.connect();
    try {
      const result = await client.query<RoleRow>(
        `SELECT r.rolname, r.rolcanlogin, pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
                ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of
           FROM pg_catalog.pg_roles r`,
      );
      return new Map(result.rows.map((row) => [row.rolname, row]));
    } finally {
      await client.end();
    }
  }

  async check(schedule: Schedule, ledger: Ledger): Promise<CheckResult> {
    const custom = this.kubeConfig.makeApiClient(CustomObjectsApi);
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    const users = new Map<string, DatabaseUser>();
    const credentials = new Map<string, V1Secret>();
    for (const namespace of schedule.namespaces) {
      const list = (await custom.listNamespacedCustomObject({ group: 'dbuser.dev', version: 'v1alpha1', namespace, plural: 'databaseusers' })) as {
        items: DatabaseUser[];
      };
      for (const user of list.items) users.set(`${namespace}/${user.metadata.name ?? ''}`, user);
      for (const secret of (await core.listNamespacedSecret({ namespace, labelSelector: managedBy })).items) {
        credentials.set(`${namespace}/${secret.metadata?.name ?? ''}`, secret);
      }
    }
    const roles = await this.roles();
    const result: CheckResult = { usersChecked: 0, deletedChecked: 0, logins: 0, resetsVerified: 0, lost: [], orphaned: [], wrong: [] };
    const usersByUid = new Map([...users.values()].map((user) => [user.metadata.uid ?? '', user]));

    await inParallel(schedule.users, 8, async (planned) => {
      const expected = schedule.expected[planned.index];
      if (!expected) throw new Error(`no expectation for user ${planned.index}`);
      const key = `${planned.namespace}/${planned.name}`;
      const user = users.get(key);
      const role = roles.get(planned.username);
      const secret = credentials.get(`${planned.namespace}/${credentialsSecretName(planned)}`);
      if (expected.deleted) {
        result.deletedChecked += 1;
        if (user) result.orphaned.push(`${key}: deleted, but the DatabaseUser is still there (${ready(user).reason})`);
        if (role) result.orphaned.push(`${key}: deleted, but its role "${planned.username}" is still in PostgreSQL`);
        if (secret) result.orphaned.push(`${key}: deleted, but its credentials Secret is still there`);
        return;
      }
      result.usersChecked += 1;
      if (!user) {
        result.lost.push(`${key}: the DatabaseUser is gone`);
        return;
      }
      const readiness = ready(user);
      if (!readiness.ok) result.lost.push(`${key}: not Ready (${readiness.reason})`);
      if (user.status?.readOnly !== expected.readOnly)
        result.wrong.push(`${key}: status.readOnly ${String(user.status?.readOnly)}, spec says ${String(expected.readOnly)}`);
      if (!role) {
        result.orphaned.push(`${key}: a DatabaseUser without its role "${planned.username}"`);
      } else {
        const marker = role.comment?.startsWith(markerPrefix) ? (JSON.parse(role.comment.slice(markerPrefix.length)) as { uid?: string }) : undefined;
        if (marker?.uid !== user.metadata.uid) result.wrong.push(`${key}: its role does not carry its marker`);
        if (!role.rolcanlogin) result.lost.push(`${key}: its role cannot log in`);
        const database = this.databases.get(planned.namespace) ?? '';
        const [want, not] = expected.readOnly ? ['readonly', 'readwrite'] : ['readwrite', 'readonly'];
        if (!role.member_of.includes(`dbuser-${want}@${database}`) || role.member_of.includes(`dbuser-${not}@${database}`)) {
          result.wrong.push(`${key}: readOnly ${String(expected.readOnly)}, but the role is in [${role.member_of.join(', ')}]`);
        }
      }
      const password = decoded(secret, 'password');
      if (!secret || password === undefined) {
        result.lost.push(`${key}: no credentials Secret with a password`);
        return;
      }
      if (secret.metadata?.ownerReferences?.[0]?.uid !== user.metadata.uid) result.wrong.push(`${key}: its credentials Secret is not owned by it`);
      const database = this.databases.get(planned.namespace) ?? '';
      const login = await this.login(planned.username, password, database);
      if (login === 'ok') result.logins += 1;
      else result.lost.push(`${key}: the credentials Secret's password does not log in (${login})`);
      if (expected.chosenPassword !== undefined && password !== expected.chosenPassword)
        result.wrong.push(`${key}: the Secret does not hold the last chosen password`);
      if (expected.lastResetToken !== undefined) {
        if (user.status?.lastPasswordReset !== expected.lastResetToken)
          result.wrong.push(`${key}: the last reset (${expected.lastResetToken}) was not handled`);
        if (user.metadata.annotations?.[resetAnnotation] !== expected.lastResetToken) result.wrong.push(`${key}: the reset annotation was lost`);
      }
      for (const replaced of ledger.replacedPasswords.get(planned.index) ?? []) {
        const old = replaced === password ? 'still the current password' : await this.login(planned.username, replaced, database);
        if (old === 'refused') result.resetsVerified += 1;
        else result.wrong.push(`${key}: a password a reset replaced still works (${old})`);
      }
    });

    // The other way round: whatever the operator marked or wrote must belong to a DatabaseUser that exists.
    for (const role of roles.values()) {
      if (!role.comment?.startsWith(markerPrefix) || role.comment === groupComment) continue;
      const marker = JSON.parse(role.comment.slice(markerPrefix.length)) as { namespace?: string; name?: string; uid?: string };
      const owner = usersByUid.get(marker.uid ?? '');
      if ((owner?.spec as { username?: unknown } | undefined)?.username !== role.rolname)
        result.orphaned.push(`role "${role.rolname}" carries the marker of ${marker.namespace ?? '?'}/${marker.name ?? '?'}, which does not exist`);
    }
    for (const [key, secret] of credentials) {
      const owner = usersByUid.get(secret.metadata?.ownerReferences?.[0]?.uid ?? '');
      if (!owner) result.orphaned.push(`credentials Secret ${key} belongs to no DatabaseUser`);
    }
    return result;
  }
}
