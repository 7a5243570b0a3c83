import { describe, expect, it } from '@jest/globals';
import { terminalReadyReasons } from '../../../src/api/conditions.js';
import { computeStatus, statusEquals } from '../../../src/reconcile/status.js';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:05:00.000Z';
const t2 = '2026-01-01T00:10:00.000Z';

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

describe('the kstatus conditions beside Ready', () => {
  const ready = computeStatus({ previous: undefined, generation: 1, readiness: { ready: true, message: 'ok' }, applied: {}, now: t0 });
  const types = (status: ReturnType<typeof computeStatus>) => status.conditions?.map((condition) => `${condition.type}=${condition.status}`);

  it.each(terminalReadyReasons)('%s (terminal): Stalled=True with the reason and message, no Reconciling', (reason) => {
    const stalled = computeStatus({ previous: ready, generation: 2, readiness: { ready: false, reason, message: 'why' }, applied: {}, now: t1 });
    expect(stalled.conditions).toEqual([
      { type: 'Ready', status: 'False', observedGeneration: 2, lastTransitionTime: t1, reason, message: 'why' },
      { type: 'Stalled', status: 'True', observedGeneration: 2, lastTransitionTime: t1, reason, message: 'why' },
    ]);
  });

  it.each(['ServerUnavailable', 'ReconcileError'] as const)('%s (transient): Reconciling=True, no Stalled', (reason) => {
    const retrying = computeStatus({ previous: ready, generation: 1, readiness: { ready: false, reason, message: 'down' }, applied: {}, now: t1 });
    expect(retrying.conditions?.[1]).toEqual({ type: 'Reconciling', status: 'True', observedGeneration: 1, lastTransitionTime: t1, reason, message: 'down' });
    expect(types(retrying)).toEqual(['Ready=False', 'Reconciling=True']);
  });

  it('swaps Reconciling for Stalled when a retried failure turns terminal, and removes both once Ready', () => {
    const retrying = computeStatus({
      previous: ready,
      generation: 1,
      readiness: { ready: false, reason: 'ServerUnavailable', message: 'down' },
      applied: {},
      now: t1,
    });
    const stalled = computeStatus({
      previous: retrying,
      generation: 1,
      readiness: { ready: false, reason: 'AuthenticationFailed', message: 'x' },
      applied: {},
      now: t2,
    });
    expect(types(stalled)).toEqual(['Ready=False', 'Stalled=True']);
    expect(stalled.conditions?.[0]?.lastTransitionTime).toBe(t1);
    expect(stalled.conditions?.[1]?.lastTransitionTime).toBe(t2);
    const fixed = computeStatus({ previous: stalled, generation: 2, readiness: { ready: true, message: 'ok' }, applied: {}, now: t2 });
    expect(fixed.conditions).toEqual([{ type: 'Ready', status: 'True', observedGeneration: 2, lastTransitionTime: t2, reason: 'Reconciled', message: 'ok' }]);
  });

  it('keeps its transition time while it stays True, so a repeated failure computes the same status (no write)', () => {
    const once = computeStatus({ previous: ready, generation: 1, readiness: { ready: false, reason: 'RoleConflict', message: 'taken' }, applied: {}, now: t1 });
    const again = computeStatus({ previous: once, generation: 1, readiness: { ready: false, reason: 'RoleConflict', message: 'taken' }, applied: {}, now: t2 });
    expect(statusEquals(once, again)).toBe(true);
  });

  it("keeps conditions of other types that are not the operator's", () => {
    const foreign = { type: 'Example', status: 'True' as const, lastTransitionTime: t0, reason: 'Other', message: '' };
    const withForeign = { ...ready, conditions: [...(ready.conditions ?? []), foreign] };
    const stalled = computeStatus({
      previous: withForeign,
      generation: 1,
      readiness: { ready: false, reason: 'InvalidSpec', message: 'bad' },
      applied: {},
      now: t1,
    });
    expect(types(stalled)).toEqual(['Ready=False', 'Stalled=True', 'Example=True']);
  });
});
