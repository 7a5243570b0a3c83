import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { databaseSpecSchema, defaultDatabaseName } from '../../../src/api/database.js';
import { fuzzParameters } from '../fuzz/fuzz-settings.js';

// The provider-style default database name: valid for any object name and uid, stable, and spread.

const dns1123Name = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/);

describe('defaultDatabaseName', () => {
  it('turns my-app into my_app with four digits from the uid', () => {
    expect(defaultDatabaseName('my-app', '0b5e8a7c-1f2d-4e3a-9b8c-7d6e5f4a3b2c')).toMatch(/^my_app_\d{4}$/);
  });

  it('is the same for the same uid and differs across uids', () => {
    const uid = '0b5e8a7c-1f2d-4e3a-9b8c-7d6e5f4a3b2c';
    expect(defaultDatabaseName('my-app', uid)).toBe(defaultDatabaseName('my-app', uid));
    const names = new Set(Array.from({ length: 200 }, (_, index) => defaultDatabaseName('my-app', `uid-${String(index)}`)));
    expect(names.size).toBeGreaterThan(180);
  });

  it('is a valid databaseName for every object name and uid', () => {
    fc.assert(
      fc.property(dns1123Name, fc.uuid(), (name, uid) => {
        const databaseName = defaultDatabaseName(name, uid);
        expect(databaseSpecSchema.safeParse({ serverRef: { name: 'main' }, databaseName }).error).toBeUndefined();
      }),
      fuzzParameters(500),
    );
  });
});
