// Acceptance 1: examples/ as `npm run local` applies them (the platform registers server "main"; the
// tenant's Database my-app, its protected default user and two more users) become Ready; `kubectl get
// dbu` prints the provider's table; each Secret's uri logs in to my_app_4553; `kubectl wait` works;
// observedGeneration follows generation.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot } from '../harness/paths.js';
import { acquireRunLock, exampleUsernamesLock } from './support/exclusive.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { operatorNamespace, registerExampleServer } from './support/platform.js';

let ctx: TestContext;
let releaseExampleUsernames: (() => void) | undefined;
let removeServer: (() => Promise<void>) | undefined;
const examples = ['database.yaml', 'read-write-user.yaml', 'read-only-user.yaml'].map((file) => path.join(repoRoot, 'examples', file));
const exampleDatabase = 'my_app_4553';
const expected = [
  { name: 'my-app', username: 'my_app_4553', readOnly: 'false', protected: 'true' },
  { name: 'my-app-ro', username: 'my_app_4553_ro', readOnly: 'true', protected: 'false' },
  { name: 'my-app-rw', username: 'my_app_4553_rw', readOnly: 'false', protected: 'false' },
];

beforeAll(async () => {
  // The dashboard's screenshot creates the same roles: one file at a time.
  releaseExampleUsernames = await acquireRunLock(exampleUsernamesLock);
  ctx = await createTestContext('examples', { operatorEnv: { OPERATOR_NAMESPACE: operatorNamespace } });
  removeServer = await registerExampleServer(ctx.pg, ctx.namespace);
  const applied = await ctx.kubectl('apply', ...examples.flatMap((file) => ['-f', file]));
  expect(applied.stderr).toBe('');
});

afterAll(async () => {
  // The Database is set to deletionPolicy Delete and deleted with its users: my_app_4553 does not outlive the file.
  await destroyTestContext(ctx);
  await removeServer?.();
  releaseExampleUsernames?.();
});

describe('the provider examples', () => {
  it('become Ready, as `kubectl wait --for=condition=Ready` sees', async () => {
    // The Database first: it creates its default user, the third DatabaseUser.
    const database = await ctx.kubectl('wait', '--for=condition=Ready', 'database/my-app', '--timeout=60s');
    expect(database.code).toBe(0);
    const waited = await ctx.kubectl('wait', '--for=condition=Ready', 'dbu', '--all', '--timeout=60s');
    expect(waited.stderr).toBe('');
    expect(waited.code).toBe(0);
    expect(waited.stdout.trim().split('\n')).toHaveLength(3);
    const server = await ctx.kubectl('get', 'databaseserver', 'main', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
    expect(server.stdout).toBe('True');
  });

  it('are listed by `kubectl get dbu` with the provider columns', async () => {
    const listed = await ctx.kubectl('get', 'dbu');
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['NAME', 'USERNAME', 'READ-ONLY', 'PROTECTED', 'PASSWORD ENCRYPTION', 'READY', 'AGE']);
    const cells = rows.map((row) => row.split(/\s+/));
    expect(
      cells.map(([name, username, readOnly, isProtected, encryption, ready]) => ({ name, username, readOnly, protected: isProtected, encryption, ready })),
    ).toEqual(expected.map((user) => ({ ...user, encryption: 'SCRAM-SHA-256', ready: 'True' })));
    const shortName = await ctx.kubectl('get', 'dbuser', '-o', 'name');
    expect(shortName.stdout.trim().split('\n')).toHaveLength(3);
  });

  it("writes each user's credentials Secret, whose uri logs in as that user", async () => {
    for (const user of expected) {
      const data = await ctx.kube.secretData(`${user.name}-credentials`);
      expect(data).toBeDefined();
      if (!data) continue;
      expect(Object.keys(data).sort()).toEqual(['dbname', 'host', 'jdbc-uri', 'password', 'pgpass', 'port', 'provider', 'type', 'uri', 'username']);
      expect(data.username).toBe(user.username);
      expect(data.dbname).toBe(exampleDatabase);
      expect(data.type).toBe('postgresql');
      expect(data.password).toMatch(/^[A-Za-z0-9_]{64}$/);
      const [whoami] = await ctx.pg.queryAs(data.uri ?? '', 'SELECT current_user AS user, current_database() AS db');
      expect(whoami?.rows[0]).toEqual({ user: user.username, db: exampleDatabase });
    }
    const secret = await ctx.kube.core.readNamespacedSecret({ namespace: ctx.namespace, name: 'my-app-credentials' });
    expect(secret.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('dbuser-operator');
    const owner = await ctx.kube.getUser('my-app');
    expect(secret.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: 'my-app', uid: owner?.metadata.uid, controller: true }),
    ]);
    // The default user belongs to its Database, which the garbage collector follows when the Database goes.
    expect(owner?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Database', name: 'my-app', controller: true })]);
  });

  it('reports each creation as an Event in the provider CLI wording', async () => {
    for (const user of expected) await ctx.kube.waitEvent(user.name, `User "${user.username}" created.`);
  });

  it('tracks metadata.generation in status.observedGeneration', async () => {
    const before = await ctx.kube.waitReady('my-app-rw');
    const patched = await ctx.kube.patchUser('my-app-rw', { spec: { deletionPolicy: 'Retain' } });
    expect(patched.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    const after = await ctx.kube.waitReady('my-app-rw');
    expect(after.status?.observedGeneration).toBe(patched.metadata.generation);
    expect(after.status).toMatchObject({ username: 'my_app_4553_rw', readOnly: false, protected: false, secretName: 'my-app-rw-credentials' });
  });
});
