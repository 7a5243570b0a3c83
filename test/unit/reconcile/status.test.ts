import { describe, expect, it } from '@jest/globals';
import { computeStatus, statusEquals } from '../../../src/reconcile/status.js';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:05:00.000Z';

describe('computeStatus', () => {
  const first = computeStatus({
    previous: undefined,
    generation: 1,
    readiness: { ready: true, message: 'ok' },
    applied: { username: 'u_12345', readOnly: false },
    now: t0,
  });

  it('writes the Ready condition and the applied fields', () => {
    expect(first).toEqual({
      observedGeneration: 1,
      username: 'u_12345',
      readOnly: false,
      conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1, lastTransitionTime: t0, reason: 'Reconciled', message: 'ok' }],
    });
  });

  it('is equal to itself on an unchanged pass, whatever the clock says', () => {
    const again = computeStatus({
      previous: first,
      generation: 1,
      readiness: { ready: true, message: 'ok' },
      applied: { username: 'u_12345', readOnly: false },
      now: t1,
    });
    expect(statusEquals(first, again)).toBe(true);
  });

  it('moves lastTransitionTime only when the status flips, and keeps applied fields it is not told about', () => {
    const failing = computeStatus({
      previous: first,
      generation: 2,
      readiness: { ready: false, reason: 'ServerUnavailable', message: 'down' },
      applied: {},
      now: t1,
    });
    expect(failing.conditions?.[0]).toMatchObject({ status: 'False', reason: 'ServerUnavailable', lastTransitionTime: t1, observedGeneration: 2 });
    expect(failing.username).toBe('u_12345');
    const stillFailing = computeStatus({
      previous: failing,
      generation: 2,
      readiness: { ready: false, reason: 'AuthenticationFailed', message: 'x' },
      applied: {},
      now: '2026-01-02T00:00:00.000Z',
    });
    expect(stillFailing.conditions?.[0]?.lastTransitionTime).toBe(t1);
  });

  it('removes the fields it is told no longer apply', () => {
    const chosen = computeStatus({
      previous: first,
      generation: 1,
      readiness: { ready: true, message: 'ok' },
      applied: { passwordSecretResourceVersion: '42' },
      now: t1,
    });
    expect(chosen.passwordSecretResourceVersion).toBe('42');
    const generated = computeStatus({
      previous: chosen,
      generation: 2,
      readiness: { ready: true, message: 'ok' },
      applied: {},
      cleared: ['passwordSecretResourceVersion'],
      now: t1,
    });
    expect(generated).not.toHaveProperty('passwordSecretResourceVersion');
    expect(generated.username).toBe('u_12345');
  });

  it('compares structurally, not by key order', () => {
    expect(statusEquals({ username: 'a', readOnly: true }, { readOnly: true, username: 'a' })).toBe(true);
    expect(statusEquals({ username: 'a' }, { username: 'b' })).toBe(false);
  });
});
