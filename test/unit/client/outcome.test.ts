import { describe, expect, it } from '@jest/globals';
import type { Condition } from '../../../src/api/conditions.js';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { untilApplied, untilGone } from '../../../src/client/outcome.js';

function user(generation: number, ready: Partial<Condition> | undefined, status: Record<string, unknown> = {}): DatabaseUser {
  const condition = ready && {
    type: 'Ready',
    status: 'True',
    reason: 'Reconciled',
    message: '',
    lastTransitionTime: '2026-01-01T00:00:00Z',
    observedGeneration: generation,
    ...ready,
  };
  return {
    metadata: { name: 'u', generation },
    spec: { username: 'my_user' },
    status: { observedGeneration: condition?.observedGeneration, ...(condition ? { conditions: [condition as Condition] } : {}), ...status },
  };
}

describe('untilApplied', () => {
  const created = untilApplied({ applied: () => true });

  it('waits for Ready=True at the current generation', () => {
    expect(created(user(1, undefined))).toBeUndefined();
    expect(created(user(2, { observedGeneration: 1 }))).toBeUndefined();
    expect(created(user(2, { status: 'False', reason: 'ServerUnavailable', observedGeneration: 2 }))).toBeUndefined();
    expect(created(user(2, {}))?.kind).toBe('applied');
  });

  it('stops at a terminal reason, with its message; a transient one keeps waiting', () => {
    expect(created(user(1, { status: 'False', reason: 'RoleConflict', message: 'taken' }))).toEqual({
      kind: 'refused',
      reason: 'RoleConflict',
      message: 'taken',
    });
    expect(created(user(1, { status: 'False', reason: 'ReconcileError' }))).toBeUndefined();
  });

  it('needs the goal too: an old Ready=True is not the new password', () => {
    const goal = untilApplied({ applied: (u) => u.status?.lastPasswordReset === 'token-2' });
    expect(goal(user(1, {}, { lastPasswordReset: 'token-1' }))).toBeUndefined();
    expect(goal(user(1, {}, { lastPasswordReset: 'token-2' }))?.kind).toBe('applied');
  });

  it('does not take the refusal it saw before the change for an answer to the change', () => {
    const before = { status: 'False', reason: 'PasswordPolicyViolation', message: 'too short' } as const;
    const stale = user(1, before);
    const goal = untilApplied({ applied: () => true, before: stale.status?.conditions?.[0] });
    expect(goal(stale)).toBeUndefined();
    expect(goal(user(1, { ...before, message: 'other' }))?.kind).toBe('refused');
  });

  it('reports the object gone', () => {
    expect(created(undefined)).toEqual({ kind: 'gone' });
  });
});

describe('untilGone', () => {
  it('is done when the object is gone; stops early only for DeletionBlocked', () => {
    const gone = untilGone(undefined);
    expect(gone(undefined)).toEqual({ kind: 'gone' });
    expect(gone(user(1, { status: 'False', reason: 'ServerUnavailable' }))).toBeUndefined();
    expect(gone(user(1, { status: 'False', reason: 'ConnectionSecretInvalid' }))).toBeUndefined();
    expect(gone(user(1, { status: 'False', reason: 'DeletionBlocked', message: 'protected' }))).toEqual({
      kind: 'refused',
      reason: 'DeletionBlocked',
      message: 'protected',
    });
  });
});
