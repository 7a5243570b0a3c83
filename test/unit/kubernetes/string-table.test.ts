import { describe, expect, it } from '@jest/globals';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { projectDatabaseUser } from '../../../src/kubernetes/cluster-cache.js';
import { projectCredentialsSecret } from '../../../src/kubernetes/credentials-secret.js';
import { StringTable } from '../../../src/kubernetes/string-table.js';

const user = (i: number): DatabaseUser =>
  JSON.parse(
    JSON.stringify({
      metadata: {
        name: `u-${String(i)}`,
        namespace: 'shop',
        uid: `uid-${String(i)}`,
        resourceVersion: String(10 + i),
        generation: 1,
        creationTimestamp: '2026-12-04T20:00:00Z',
        finalizers: ['dbuser.dev/finalizer'],
        managedFields: [{ manager: 'kubectl' }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'dbuser.dev/reset-password': 'r1' },
      },
      spec: { username: `user_${String(i)}`, connection: { secretName: 'pg-admin' }, passwordEncryption: 'scram-sha-256', deletionPolicy: 'Delete' },
      status: {
        observedGeneration: 1,
        conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: 'ready', lastTransitionTime: '2026-12-04T20:01:00Z' }],
        username: `user_${String(i)}`,
        passwordEncryption: 'SCRAM-SHA-256',
        passwordUpdatedAt: '2026-12-04T20:01:00.123Z',
        lastPasswordChange: { at: '2026-12-04T20:01:00.123Z', by: 'system:serviceaccount:dbuser-system:dbuser-operator', reason: 'Created' },
      },
    }),
  ) as DatabaseUser;

describe('StringTable', () => {
  it('gives back equal text, and stops growing at its capacity', () => {
    const table = new StringTable(2);
    expect(table.intern('a')).toBe('a');
    expect(table.intern('a')).toBe('a');
    expect(table.intern('b')).toBe('b');
    expect(table.intern('c')).toBe('c');
    expect(table.size).toBe(2);
  });

  it('interns only the listed fields that hold strings', () => {
    const table = new StringTable();
    const object = { kind: 'x', count: 3, other: 'y' };
    table.internFields(object, ['kind', 'count', 'missing']);
    table.internFields(undefined, ['kind']);
    expect(object).toEqual({ kind: 'x', count: 3, other: 'y' });
    expect(table.size).toBe(1);
  });

  it('changes nothing a reader of the projected DatabaseUser or credentials Secret sees', () => {
    const table = new StringTable();
    for (let i = 0; i < 3; i++) expect(projectDatabaseUser(user(i), table)).toEqual(projectDatabaseUser(user(i)));
    expect(projectDatabaseUser(user(0)).metadata).toEqual({
      name: 'u-0',
      namespace: 'shop',
      uid: 'uid-0',
      resourceVersion: '10',
      generation: 1,
      creationTimestamp: '2026-12-04T20:00:00Z',
      finalizers: ['dbuser.dev/finalizer'],
      annotations: { 'dbuser.dev/reset-password': 'r1' },
    });
    const secret = () => ({
      metadata: {
        name: 'u-0-credentials',
        namespace: 'shop',
        annotations: { 'dbuser.dev/password-change': JSON.stringify({ at: '2026-12-04T20:01:00.123Z', by: 'someone', reason: 'Created' }) },
      },
      data: {
        password: Buffer.from('p'.repeat(30)).toString('base64'),
        host: Buffer.from('db').toString('base64'),
        dbname: Buffer.from('shop').toString('base64'),
      },
    });
    expect(projectCredentialsSecret(secret(), table)).toEqual(projectCredentialsSecret(secret()));
    // Only the few-valued fields went into the table: namespace, finalizer, enums, condition fields, who and why, host, database.
    expect(table.size).toBeLessThan(20);
  });
});
