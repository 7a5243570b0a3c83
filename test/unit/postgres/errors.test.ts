import { describe, expect, it } from '@jest/globals';
import { classifyPostgresError } from '../../../src/postgres/errors.js';

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyPostgresError', () => {
  it.each([
    [pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'ServerUnavailable', false],
    [pgError('57P01', 'terminating connection due to administrator command'), 'ServerUnavailable', false],
    [new Error('Connection terminated unexpectedly'), 'ServerUnavailable', false],
    [pgError('28P01', 'password authentication failed for user "admin"'), 'AuthenticationFailed', false],
    [pgError('3D000', 'database "nope" does not exist'), 'DatabaseNotFound', false],
    [pgError('42501', 'permission denied to create role'), 'PermissionDenied', false],
    [pgError('42710', 'role "x" already exists'), 'ReconcileError', true],
    [pgError('XX000', 'tuple concurrently updated'), 'ReconcileError', true],
    [pgError('55P03', 'canceling statement due to lock timeout'), 'ReconcileError', false],
    [pgError('22023'), 'ReconcileError', false],
  ])('%s -> %s', (error, reason, retryNow) => {
    const classified = classifyPostgresError(error);
    expect(classified.reason).toBe(reason);
    expect(classified.retryNow).toBe(retryNow);
    expect(classified.message).toContain(error.message);
  });
});
