import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UsersByDatabase } from '../../../src/kubernetes/users-by-database.js';
import { fuzzParameters } from '../fuzz/fuzz-settings.js';

describe('UsersByDatabase', () => {
  it('finds the users naming a Database, in its namespace only', () => {
    const index = new UsersByDatabase();
    index.set('shop', 'rw', 'main');
    index.set('shop', 'ro', 'main');
    index.set('shop', 'other', 'reports');
    index.set('blog', 'rw', 'main');
    index.set('shop', 'legacy', undefined);
    expect(index.users('shop', 'main').sort()).toEqual(['shop/ro', 'shop/rw']);
    expect(index.users('blog', 'main')).toEqual(['blog/rw']);
    expect(index.users('shop', 'reports')).toEqual(['shop/other']);
    expect(index.users('shop', 'nothing')).toEqual([]);
  });

  it('moves a user whose databaseRef changes, and forgets one that no longer names any or is deleted', () => {
    const index = new UsersByDatabase();
    index.set('shop', 'a', 'main');
    index.set('shop', 'b', 'main');
    index.set('shop', 'a', 'reports');
    expect(index.users('shop', 'main')).toEqual(['shop/b']);
    expect(index.users('shop', 'reports')).toEqual(['shop/a']);
    index.set('shop', 'a', undefined);
    expect(index.users('shop', 'reports')).toEqual([]);
    index.remove('shop', 'b');
    expect(index.users('shop', 'main')).toEqual([]);
    index.remove('shop', 'never-seen');
  });

  it('answers as a scan of every user would, after any sequence of changes', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    const namespace = fc.constantFrom('shop', 'blog');
    const database = fc.option(fc.constantFrom('main', 'reports'), { nil: undefined });
    const change = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), namespace, name, database }),
      fc.record({ kind: fc.constant('remove' as const), namespace, name }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
        const index = new UsersByDatabase();
        const users = new Map<string, { namespace: string; database: string | undefined }>();
        for (const step of changes) {
          const key = `${step.namespace}/${step.name}`;
          if (step.kind === 'set') {
            index.set(step.namespace, step.name, step.database);
            users.set(key, { namespace: step.namespace, database: step.database });
          } else {
            index.remove(step.namespace, step.name);
            users.delete(key);
          }
        }
        for (const ns of ['shop', 'blog']) {
          for (const db of ['main', 'reports']) {
            const scanned = [...users].filter(([, user]) => user.namespace === ns && user.database === db).map(([key]) => key);
            expect(index.users(ns, db).sort()).toEqual(scanned.sort());
          }
        }
      }),
      fuzzParameters(300),
    );
  });
});
