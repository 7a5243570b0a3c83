import { describe, expect, it } from '@jest/globals';
import { databaseServerSpecSchema } from '../../../src/api/database-server.js';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { databaseSpecSchema, type Database } from '../../../src/api/database.js';
import { projectDatabaseUser } from '../../../src/kubernetes/cluster-cache.js';
import {
  decideDatabase,
  decideDatabaseDeletion,
  defaultUserManifest,
  type DatabaseDecision,
  type DatabaseObserved,
} from '../../../src/reconcile/database-decision.js';

// decideDatabase() and decideDatabaseDeletion() as tables: what one pass over a Database does.

const uid = 'uid-my-app';
const serverSpec = databaseServerSpecSchema.parse({ adminSecretRef: { name: 'main-admin' }, namespaceSelector: {} });

function observed(overrides: Partial<DatabaseObserved> = {}): DatabaseObserved {
  return {
    namespace: 'shop',
    name: 'my-app',
    uid,
    spec: databaseSpecSchema.parse({ serverRef: { name: 'main' } }),
    recordedName: undefined,
    server: { name: 'main', spec: serverSpec, deleting: false },
    namespaceLabels: {},
    siblings: [{ metadata: { name: 'my-app', creationTimestamp: '2026-12-01T00:00:00Z' } }],
    defaultUser: undefined,
    users: [],
    clusterId: 'cluster-1',
    ...overrides,
  };
}

const defaultUser = (generation = 1, ready?: { status: 'True' | 'False'; reason: string; observedGeneration: number }): DatabaseUser => {
  const manifest = defaultUserManifest(observed(), 'my_app_4553');
  const conditions = ready === undefined ? [] : [{ type: 'Ready', message: 'm', lastTransitionTime: '2026-12-01T00:00:00Z', ...ready }];
  // As the operator's cache holds it (the projection keeps only what decisions read).
  return projectDatabaseUser({ ...manifest, metadata: { ...manifest.metadata, uid: 'uid-default', generation }, status: { conditions } });
};

const user = (name: string): DatabaseUser => ({
  metadata: { name, uid: `uid-${name}` },
  spec: { username: `${name.replace(/-/g, '_')}_x`, databaseRef: { name: 'my-app' } },
});

/** The decision in a few words. */
function summary(decision: DatabaseDecision): string {
  if (decision.kind === 'refuse') return `refuse ${decision.reason}`;
  return `apply ${decision.desired.name}${decision.defaultUser === undefined ? '' : ' + write default user'}${decision.defaultUserReady.ready ? ', ready' : ''}`;
}

describe('decideDatabase', () => {
  it.each<[string, Partial<DatabaseObserved>, RegExp]>([
    ['a new Database: its database under the default name, and its default user', {}, /^apply my_app_\d{4} \+ write default user$/],
    ['the name recorded in the status wins over the default', { recordedName: 'my_app_0001' }, /^apply my_app_0001 \+ write default user$/],
    [
      'spec.databaseName wins over all',
      { spec: databaseSpecSchema.parse({ serverRef: { name: 'main' }, databaseName: 'shop_orders' }), recordedName: 'my_app_0001' },
      /^apply shop_orders/,
    ],
    ['server not registered', { server: undefined }, /^refuse ServerNotFound$/],
    ['server being deleted, before the database exists', { server: { name: 'main', spec: serverSpec, deleting: true } }, /^refuse ServerNotFound$/],
    [
      'server being deleted, after: keep serving it until it is deleted',
      { server: { name: 'main', spec: serverSpec, deleting: true }, recordedName: 'my_app_0001' },
      /^apply my_app_0001/,
    ],
    [
      'server that does not let the namespace in',
      { server: { name: 'main', spec: databaseServerSpecSchema.parse({ adminSecretRef: { name: 'a' }, namespaces: ['billing'] }), deleting: false } },
      /^refuse ServerNotAllowed$/,
    ],
    [
      'a DatabaseUser of the same name that is not its default user',
      { defaultUser: { metadata: { name: 'my-app', uid: 'someone' }, spec: { username: 'my_app_4553' } } },
      /^refuse DatabaseConflict$/,
    ],
  ])('%s', (_, overrides, expected) => {
    expect(summary(decideDatabase(observed(overrides)))).toMatch(expected);
  });

  it('refuses a Database beyond the per-namespace count, and keeps the earlier ones', () => {
    const limited = {
      name: 'main',
      spec: databaseServerSpecSchema.parse({ adminSecretRef: { name: 'a' }, namespaceSelector: {}, limits: { databases: 1 } }),
      deleting: false,
    };
    const siblings: Database[] = [
      { metadata: { name: 'older', creationTimestamp: '2026-11-01T00:00:00Z' } },
      { metadata: { name: 'my-app', creationTimestamp: '2026-12-01T00:00:00Z' } },
    ];
    expect(summary(decideDatabase(observed({ server: limited, siblings })))).toBe('refuse QuotaExceeded');
    expect(summary(decideDatabase(observed({ server: limited, siblings, name: 'older' })))).toMatch(/^apply/);
  });

  it('writes the default user only when it differs, and is ready only when it is Ready at its generation', () => {
    const recorded = { recordedName: 'my_app_4553' };
    expect(
      summary(decideDatabase(observed({ ...recorded, defaultUser: defaultUser(2, { status: 'True', reason: 'Reconciled', observedGeneration: 2 }) }))),
    ).toBe('apply my_app_4553, ready');
    const stale = decideDatabase(observed({ ...recorded, defaultUser: defaultUser(3, { status: 'True', reason: 'Reconciled', observedGeneration: 2 }) }));
    expect(summary(stale)).toBe('apply my_app_4553');
    const failing = decideDatabase(observed({ ...recorded, defaultUser: defaultUser(1, { status: 'False', reason: 'RoleConflict', observedGeneration: 1 }) }));
    expect(failing.kind === 'apply' && failing.defaultUserReady).toEqual({
      ready: false,
      message: 'its default user "my_app_4553" is not Ready yet (RoleConflict: m)',
    });

    const changed = defaultUser();
    changed.spec = { ...(changed.spec as object), protected: false };
    const repaired = decideDatabase(observed({ ...recorded, defaultUser: changed }));
    expect(repaired.kind === 'apply' && repaired.defaultUser?.spec).toMatchObject({ protected: true });
    expect(repaired.kind === 'apply' && repaired.forceDefaultUser).toBe(true);
  });

  it('makes the default user protected, read-write, controlled by the Database and named as it', () => {
    expect(defaultUserManifest(observed(), 'my_app_4553')).toMatchObject({
      metadata: {
        name: 'my-app',
        namespace: 'shop',
        labels: { 'dbuser.dev/default-user-of': 'my-app' },
        ownerReferences: [{ kind: 'Database', name: 'my-app', uid, controller: true }],
      },
      spec: { username: 'my_app_4553', databaseRef: { name: 'my-app' }, readOnly: false, protected: true, deletionPolicy: 'Delete' },
    });
  });

  it("puts the default user in its Database's shard (ADR 25), and in none when the Database has no shard key", () => {
    expect(defaultUserManifest(observed({ shardKey: 'shard1' }), 'my_app_4553').metadata.labels).toMatchObject({ 'sharding.fluxcd.io/key': 'shard1' });
    expect(defaultUserManifest(observed(), 'my_app_4553').metadata.labels).not.toHaveProperty(['sharding.fluxcd.io/key']);
  });
});

describe('decideDatabaseDeletion', () => {
  const own = defaultUser();
  const deletion = (users: DatabaseUser[], deletionPolicy: 'Retain' | 'Delete' = 'Retain') =>
    decideDatabaseDeletion({ name: 'my-app', uid, users, spec: databaseSpecSchema.parse({ serverRef: { name: 'main' }, deletionPolicy }) });

  it('waits for its other users first, naming them', () => {
    expect(deletion([own, user('my-app-rw'), user('my-app-ro')])).toEqual({
      kind: 'wait',
      reason: 'UsersRemain',
      message: 'waiting for its other users to be deleted first: my-app-ro, my-app-rw',
    });
    const many = Array.from({ length: 12 }, (_, index) => user(`u-${String(index).padStart(2, '0')}`));
    expect(deletion(many)).toMatchObject({ message: expect.stringMatching(/u-09 and 2 more$/) as unknown as string });
  });

  it('then deletes its default user, then keeps or drops the database by its deletionPolicy', () => {
    expect(deletion([own])).toEqual({ kind: 'delete-default-user', name: 'my-app', uid: 'uid-default' });
    expect(deletion([])).toEqual({ kind: 'retain' });
    expect(deletion([], 'Delete')).toEqual({ kind: 'drop' });
  });
});
