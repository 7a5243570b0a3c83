import { describe, expect, it } from '@jest/globals';
import { isTerminalReadyReason, readyReasons, terminalReadyReasons } from '../../../src/api/conditions.js';

describe('terminal Ready reasons', () => {
  it('are the reasons waiting does not fix; the rest pass by themselves', () => {
    const transient = Object.keys(readyReasons).filter((reason) => !isTerminalReadyReason(reason));
    expect(transient.sort()).toEqual([
      'ConnectionLimitReached',
      'DatabaseNotReady',
      'DefaultUserNotReady',
      'ReconcileError',
      'Reconciled',
      'ServerUnavailable',
      'UsersRemain',
    ]);
    expect(terminalReadyReasons).toContain('RoleConflict');
    expect(isTerminalReadyReason(undefined)).toBe(false);
  });
});
