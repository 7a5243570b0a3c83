import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { viewDatabaseUser } from '../../../src/api/database-user-view.js';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { renderList } from '../../../src/cli/list-command.js';

const ready = {
  type: 'Ready',
  status: 'True' as const,
  reason: 'Reconciled',
  message: 'ok',
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration: 1,
};
const users: DatabaseUser[] = [
  {
    metadata: { name: 'my-app', generation: 1 },
    spec: { username: 'my_app_4553', protected: true },
    status: { passwordEncryption: 'SCRAM-SHA-256', conditions: [ready] },
  },
  {
    metadata: { name: 'rw', generation: 1 },
    spec: { username: 'my_app_4553_rw', passwordEncryption: 'md5' },
    status: { passwordEncryption: 'MD5', conditions: [ready] },
  },
  // Not reconciled yet: the encryption the spec asks for.
  { metadata: { name: 'ro', generation: 1 }, spec: { username: 'my_app_4553_ro', readOnly: true } },
];
const views = users.map(viewDatabaseUser);

describe('list output', () => {
  it("is the provider's four columns by default, the header centred", () => {
    expect(renderList(views, 'table').split('\n')[1]).toBe('|    USERNAME    | READ-ONLY | PROTECTED | PASSWORD ENCRYPTION |');
    expect(renderList(views, 'table').split('\n').slice(3, 6)).toEqual([
      '| my_app_4553    | false     | true      | SCRAM-SHA-256       |',
      '| my_app_4553_rw | false     | false     | MD5                 |',
      '| my_app_4553_ro | true      | false     | SCRAM-SHA-256       |',
    ]);
  });

  it('-o wide adds NAME, READY and REASON', () => {
    const lines = renderList(views, 'wide').split('\n');
    expect(lines[1]).toBe('|    USERNAME    | READ-ONLY | PROTECTED | PASSWORD ENCRYPTION |  NAME  |  READY  |   REASON   |');
    expect(lines[5]).toBe('| my_app_4553_ro | true      | false     | SCRAM-SHA-256       | ro     | Unknown |            |');
  });

  it('-o json and -o yaml give scripts the same records', () => {
    const fromJson = JSON.parse(renderList(views, 'json')) as unknown;
    expect(load(renderList(views, 'yaml'))).toEqual(fromJson);
    expect((fromJson as unknown[])[1]).toEqual({
      name: 'rw',
      username: 'my_app_4553_rw',
      readOnly: false,
      protected: false,
      passwordEncryption: 'MD5',
      ready: 'True',
      reason: 'Reconciled',
      message: 'ok',
    });
  });
});
