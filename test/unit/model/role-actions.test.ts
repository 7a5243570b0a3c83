import { describe, expect, it } from '@jest/globals';
import { withVerifier, type PreparedVerifier, type RoleAction } from '../../../src/model/role-actions.js';

describe('withVerifier (ADR 28)', () => {
  const marker = { cluster: 'c', namespace: 'shop', name: 'u', uid: 'uid-1' };
  const prepared: PreparedVerifier = { password: 'p1', username: 'u', encryption: 'SCRAM-SHA-256', verifier: 'V1' };

  it('gives the prepared verifier to the actions that set that password on that role in that encryption, and only those', () => {
    const actions: RoleAction[] = [
      { kind: 'createRole', username: 'u', password: 'p1', encryption: 'SCRAM-SHA-256', marker },
      { kind: 'setPassword', username: 'u', password: 'p1', encryption: 'SCRAM-SHA-256' },
      { kind: 'setPassword', username: 'u', password: 'p2', encryption: 'SCRAM-SHA-256' },
      { kind: 'setPassword', username: 'v', password: 'p1', encryption: 'SCRAM-SHA-256' },
      { kind: 'setPassword', username: 'u', password: 'p1', encryption: 'MD5' },
      { kind: 'grantMembership', username: 'u', group: 'g' },
    ];
    expect(withVerifier(actions, prepared).map((action) => ('verifier' in action ? action.verifier : undefined))).toEqual([
      'V1',
      'V1',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(withVerifier(actions, undefined)).toBe(actions);
  });
});
