import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { KubeClient } from '../src/kube/kube-client.js';
import { scramSha256Verifier } from '../src/postgres/password-hash.js';
import type { PgTestClient } from '../test/integration/support/postgres.js';
import type { Schedule } from './schedule.js';
import { credentialsSecretName, type Ledger } from './workload.js';

/** One thing broken on purpose, and the text the checker's findings must then contain. */
export interface Sabotage {
  what: string;
  expect: string;
}

const id = (name: string): string => pg.escapeIdentifier(name);

/**
 * The checker's own test, run after the real verdict with the operator stopped: breaks one thing of
 * each kind the checker looks for, so a second check must report every one of them. A checker that
 * cannot fail would pass them by.
 */
export async function sabotage(
  schedule: Schedule,
  ledger: Ledger,
  pgClient: PgTestClient,
  http: KubeClient,
  databases: Map<string, string>,
  logFile: string,
): Promise<Sabotage[]> {
  const survivors = schedule.users.filter((user) => schedule.expected[user.index]?.deleted === false);
  const reset = survivors.find((user) => (ledger.replacedPasswords.get(user.index)?.length ?? 0) > 0);
  const readWrite = survivors.find((user) => schedule.expected[user.index]?.readOnly === false && user !== reset);
  const [dropped, rehashed, unsecreted] = survivors.filter((user) => user !== reset && user !== readWrite);
  if (!reset || !readWrite || !dropped || !rehashed || !unsecreted) throw new Error('the schedule left too few users to sabotage');
  const done: Sabotage[] = [];
  const admin = (user: { namespace: string }) => pgClient.admin(databases.get(user.namespace) ?? 'postgres');
  const key = (user: { namespace: string; name: string }) => `${user.namespace}/${user.name}:`;

  await admin(dropped).query(`DROP OWNED BY ${id(dropped.username)}; DROP ROLE ${id(dropped.username)}`);
  done.push({ what: 'a role dropped by hand', expect: `${key(dropped)} a DatabaseUser without its role` });

  await pgClient.admin().query(`ALTER ROLE ${id(rehashed.username)} PASSWORD ${pg.escapeLiteral(await scramSha256Verifier(randomBytes(24).toString('hex')))}`);
  done.push({ what: 'a password changed by hand', expect: `${key(rehashed)} the credentials Secret's password does not log in` });

  await http.request('DELETE', `/api/v1/namespaces/${unsecreted.namespace}/secrets/${credentialsSecretName(unsecreted)}`);
  done.push({ what: 'a credentials Secret deleted', expect: `${key(unsecreted)} no credentials Secret with a password` });

  const replaced = ledger.replacedPasswords.get(reset.index)?.[0] ?? '';
  await pgClient.admin().query(`ALTER ROLE ${id(reset.username)} PASSWORD ${pg.escapeLiteral(await scramSha256Verifier(replaced))}`);
  done.push({ what: 'a reset undone by hand', expect: `${key(reset)} a password a reset replaced still works` });

  const group = `dbuser-readwrite@${databases.get(readWrite.namespace) ?? ''}`;
  await pgClient.admin().query(`REVOKE ${id(group)} FROM ${id(readWrite.username)}`);
  done.push({ what: 'a read-write membership revoked', expect: `${key(readWrite)} readOnly false, but the role is in` });

  const marker = { cluster: 'x', namespace: schedule.namespaces[0], name: 'nobody', uid: '00000000-0000-0000-0000-000000000000' };
  await pgClient
    .admin()
    .query(
      `CREATE ROLE chaos_orphan_role LOGIN; COMMENT ON ROLE chaos_orphan_role IS ${pg.escapeLiteral(`managed by dbuser-operator: ${JSON.stringify(marker)}`)}`,
    );
  done.push({ what: 'a role with our marker and no DatabaseUser', expect: 'role "chaos_orphan_role" carries the marker' });

  await http.request('POST', `/api/v1/namespaces/${schedule.namespaces[0] ?? ''}/secrets`, {
    body: {
      metadata: {
        name: 'chaos-orphan-credentials',
        labels: { 'app.kubernetes.io/managed-by': 'dbuser-operator' },
        ownerReferences: [{ apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: 'nobody', uid: marker.uid }],
      },
      stringData: { password: randomBytes(24).toString('hex') },
    },
  });
  done.push({
    what: 'a credentials Secret without its user',
    expect: `credentials Secret ${schedule.namespaces[0] ?? ''}/chaos-orphan-credentials belongs to no DatabaseUser`,
  });

  // A log of its own beside the operators' (the leak scan reads every log there); the run removes it.
  appendFileSync(logFile, `{"msg":"sabotage","detail":${JSON.stringify(replaced)}}\n`);
  done.push({ what: 'a password written into a log', expect: `${logFile}:` });
  return done;
}
