import { describe, expect, it } from '@jest/globals';
import { asPostgresError, PostgresError } from '../../../src/postgres/errors.js';
import { ConnectionBoundReached } from '../../../src/postgres/server-connections.js';

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('asPostgresError', () => {
  it.each([
    [pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'unavailable'],
    [pgError('57P01', 'terminating connection due to administrator command'), 'unavailable'],
    [new Error('Connection terminated unexpectedly'), 'unavailable'],
    [pgError('28P01', 'password authentication failed for user "admin"'), 'authentication'],
    [pgError('3D000', 'database "nope" does not exist'), 'missing-database'],
    [pgError('42501', 'permission denied to create role'), 'permission'],
    [pgError('42710', 'role "x" already exists'), 'concurrent-change'],
    [pgError('XX000', 'tuple concurrently updated'), 'concurrent-change'],
    [pgError('55P03', 'canceling statement due to lock timeout'), 'timeout'],
    [pgError('22023'), 'unexpected'],
    [new ConnectionBoundReached('db:5432', 10, 10_000), 'connection-limit'],
  ])('%s -> %s', (error, failure) => {
    const classified = asPostgresError(error);
    expect(classified).toBeInstanceOf(PostgresError);
    expect(classified).toMatchObject({ failure, cause: error });
    expect((classified as PostgresError).message).toContain(error.message);
  });

  it('leaves errors that did not come from PostgreSQL alone (a bug stays a bug)', () => {
    const bug = new TypeError('x is undefined');
    expect(asPostgresError(bug)).toBe(bug);
  });
});
