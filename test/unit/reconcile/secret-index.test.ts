import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SecretIndex } from '../../../src/reconcile/secret-index.js';
import { fuzzParameters } from '../fuzz/fuzz-settings.js';

describe('SecretIndex', () => {
  it('maps each Secret to the users depending on it: credentials, chosen password, connection or the default one', () => {
    const index = new SecretIndex({ namespace: 'ops', name: 'default-pg' });
    index.set('shop', 'a', { connection: { secretName: 'pg' }, passwordSecretRef: { name: 'chosen' } });
    index.set('shop', 'b', { connection: { secretName: 'pg' }, secretName: 'b-secret' });
    index.set('shop', 'c', {});
    expect(index.usersOf('shop/a-credentials')).toEqual(['shop/a']);
    expect(index.usersOf('shop/b-secret')).toEqual(['shop/b']);
    expect(index.usersOf('shop/chosen')).toEqual(['shop/a']);
    expect(index.usersOf('shop/pg').sort()).toEqual(['shop/a', 'shop/b']);
    expect(index.usersOf('ops/default-pg')).toEqual(['shop/c']);
    expect(index.isConnectionInUse('shop/pg')).toBe(true);
    // The operator's default connection is never named, so never "in use" by a spec.
    expect(index.isConnectionInUse('ops/default-pg')).toBe(false);
  });

  it('reports the connection a user no longer names, and frees it with its last user', () => {
    const index = new SecretIndex(undefined);
    index.set('shop', 'a', { connection: { secretName: 'old' } });
    index.set('shop', 'b', { connection: { secretName: 'old' } });
    expect(index.set('shop', 'a', { connection: { secretName: 'new' } })).toBe('shop/old');
    expect(index.set('shop', 'a', { connection: { secretName: 'new' } })).toBeUndefined();
    expect(index.isConnectionInUse('shop/old')).toBe(true);
    expect(index.remove('shop/b')).toBe('shop/old');
    expect(index.isConnectionInUse('shop/old')).toBe(false);
    expect(index.usersOf('shop/old')).toEqual([]);
    expect(index.usersOf('shop/b-credentials')).toEqual([]);
    expect(index.remove('shop/never-seen')).toBeUndefined();
  });

  it('answers as a scan of every user would, after any sequence of changes', () => {
    const secretName = fc.constantFrom('s1', 's2', 's3', '');
    const spec = fc.record(
      {
        secretName,
        connection: fc.record({ secretName }, { requiredKeys: [] }),
        passwordSecretRef: fc.record({ name: secretName }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    const change = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), name: fc.constantFrom('a', 'b', 'c'), spec }),
      fc.record({ kind: fc.constant('remove' as const), name: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), (changes) => {
        const index = new SecretIndex({ namespace: 'ops', name: 'default-pg' });
        const specs = new Map<string, { secretName?: string; connection?: { secretName?: string }; passwordSecretRef?: { name?: string } }>();
        for (const step of changes) {
          if (step.kind === 'set') {
            index.set('ns', step.name, step.spec);
            specs.set(step.name, step.spec);
          } else {
            index.remove(`ns/${step.name}`);
            specs.delete(step.name);
          }
        }
        const named = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
        const secretsOf = (name: string, spec: typeof specs extends Map<string, infer S> ? S : never) => {
          const connection = named(spec.connection?.secretName);
          return [
            `ns/${named(spec.secretName) ?? `${name}-credentials`}`,
            ...(named(spec.passwordSecretRef?.name) ? [`ns/${spec.passwordSecretRef?.name ?? ''}`] : []),
            connection === undefined ? 'ops/default-pg' : `ns/${connection}`,
          ];
        };
        for (const secret of ['ns/s1', 'ns/s2', 'ns/s3', 'ns/a-credentials', 'ns/b-credentials', 'ns/c-credentials', 'ops/default-pg']) {
          const expected = [...specs].filter(([name, spec]) => secretsOf(name, spec).includes(secret)).map(([name]) => `ns/${name}`);
          expect(index.usersOf(secret).sort()).toEqual(expected.sort());
          const inUse = [...specs.values()].some(
            (spec) => named(spec.connection?.secretName) !== undefined && `ns/${spec.connection?.secretName ?? ''}` === secret,
          );
          expect(index.isConnectionInUse(secret)).toBe(inUse);
        }
      }),
      fuzzParameters(300),
    );
  });
});
