import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../../src/kube/api-error.js';
import { PostgresError } from '../../../src/postgres/errors.js';
import { problemOf, RaceLost, ReconcileProblem } from '../../../src/reconcile/problems.js';

const postgres = (failure: PostgresError['failure']) => new PostgresError(failure, 'X', 'PostgreSQL error X: boom', { cause: new Error('boom') });

describe('problemOf', () => {
  it.each([
    [postgres('unavailable'), 'ServerUnavailable', 'with-backoff'],
    [postgres('authentication'), 'AuthenticationFailed', 'with-backoff'],
    [postgres('permission'), 'PermissionDenied', 'with-backoff'],
    [postgres('missing-database'), 'DatabaseNotFound', 'with-backoff'],
    [postgres('timeout'), 'ReconcileError', 'with-backoff'],
    [postgres('connection-limit'), 'ConnectionLimitReached', 'with-backoff'],
    [new KubeApiError(403, 'Forbidden', 'no', 'PATCH', '/x'), 'PermissionDenied', 'with-backoff'],
    [new TypeError('a bug'), 'ReconcileError', 'with-backoff'],
  ])('%s -> %s', (error, reason, retry) => {
    expect(problemOf(error)).toMatchObject({ reason, retry });
  });

  it('adds advice where the reason alone does not say what to do', () => {
    expect(problemOf(postgres('authentication')).message).toContain('check the admin credentials in the connection Secret');
  });

  it('treats concurrent changes and API conflicts as lost races, reported to nobody', () => {
    expect(problemOf(postgres('concurrent-change'))).toBeInstanceOf(RaceLost);
    expect(problemOf(new KubeApiError(409, 'Conflict', 'changed', 'PATCH', '/x'))).toBeInstanceOf(RaceLost);
  });

  it('keeps a problem as it is', () => {
    const problem = new ReconcileProblem('RoleConflict', 'taken', 'when-changed');
    expect(problemOf(problem)).toBe(problem);
  });
});
