import { describe, expect, it } from '@jest/globals';
import { decidePassword, type PasswordInputs } from '../../../src/reconcile/password-decision.js';

const generated = 'G'.repeat(64);
const generate = () => generated;
const chosen = (password: string) => ({ kind: 'value' as const, password, secretName: 'pw', resourceVersion: '7' });
const base: PasswordInputs = {
  protected: false,
  roleExists: false,
  chosen: { kind: 'none' },
  stored: undefined,
  storedRejected: false,
  requestedResetToken: undefined,
  rotationDue: false,
};
const stored = (password: string, resetToken?: string) => ({ password, resetToken });

describe('decidePassword', () => {
  const cases: [string, Partial<PasswordInputs>, ReturnType<typeof decidePassword>][] = [
    ['new user: generate, Secret first', {}, { kind: 'write', password: generated, resetToken: undefined, change: 'initial', mustMatchRole: false }],
    [
      'new user with a reset annotation: it is simply recorded',
      { requestedResetToken: 't1' },
      { kind: 'write', password: generated, resetToken: 't1', change: 'initial', mustMatchRole: false },
    ],
    [
      'existing Secret: keep its password',
      { roleExists: true, stored: stored('S'.repeat(64)) },
      { kind: 'keep', password: 'S'.repeat(64), resetToken: undefined },
    ],
    [
      'rotation due: a new generated password, the handled reset token kept',
      { roleExists: true, stored: stored('S', 't1'), requestedResetToken: 't1', rotationDue: true },
      { kind: 'write', password: generated, resetToken: 't1', change: 'rotation', mustMatchRole: false },
    ],
    [
      'rotation due and a reset pending: one new password, recorded as the reset',
      { roleExists: true, stored: stored('S', 't1'), requestedResetToken: 't2', rotationDue: true },
      { kind: 'write', password: generated, resetToken: 't2', change: 'reset', mustMatchRole: false },
    ],
    [
      'rotation never touches a protected password',
      { protected: true, roleExists: true, stored: stored('S'), rotationDue: true },
      { kind: 'keep', password: 'S', resetToken: undefined },
    ],
    [
      'a handled reset token is not a new request',
      { roleExists: true, stored: stored('S', 't1'), requestedResetToken: 't1' },
      { kind: 'keep', password: 'S', resetToken: 't1' },
    ],
    [
      'a new reset token: generate',
      { roleExists: true, stored: stored('S', 't1'), requestedResetToken: 't2' },
      { kind: 'write', password: generated, resetToken: 't2', change: 'reset', mustMatchRole: false },
    ],
    [
      'Secret lost, role exists: generate anew',
      { roleExists: true },
      { kind: 'write', password: generated, resetToken: undefined, change: 'regenerated', mustMatchRole: false },
    ],
    [
      'chosen and already stored: keep',
      { roleExists: true, chosen: chosen('c'.repeat(30)), stored: stored('c'.repeat(30)) },
      { kind: 'keep', password: 'c'.repeat(30), resetToken: undefined },
    ],
    [
      'chosen changed: write it',
      { roleExists: true, chosen: chosen('d'.repeat(30)), stored: stored('c'.repeat(30), 't1') },
      { kind: 'write', password: 'd'.repeat(30), resetToken: 't1', change: 'chosen', mustMatchRole: false },
    ],
    [
      'protected, chosen Secret lost, role exists: restore only if the role has it',
      { protected: true, roleExists: true, chosen: chosen('c'.repeat(30)) },
      { kind: 'write', password: 'c'.repeat(30), resetToken: undefined, change: 'restored', mustMatchRole: true },
    ],
  ];

  it.each(cases)('%s', (_case, inputs, expected) => {
    expect(decidePassword({ ...base, ...inputs }, generate)).toEqual(expected);
  });

  const refusals: [string, Partial<PasswordInputs>, string][] = [
    ['chosen Secret unreadable', { chosen: { kind: 'unreadable', message: 'password Secret "pw" not found' } }, 'PasswordSecretInvalid'],
    ['chosen password too short', { chosen: chosen('short') }, 'PasswordPolicyViolation'],
    [
      'reset on a chosen password',
      { roleExists: true, chosen: chosen('c'.repeat(30)), stored: stored('c'.repeat(30)), requestedResetToken: 'x' },
      'PasswordResetRefused',
    ],
    [
      'protected, chosen Secret changed',
      { protected: true, roleExists: true, chosen: chosen('d'.repeat(30)), stored: stored('c'.repeat(30)) },
      'PasswordChangeRefused',
    ],
    ['protected, reset requested', { protected: true, roleExists: true, stored: stored('S'), requestedResetToken: 'x' }, 'PasswordResetRefused'],
    ['protected, generated Secret lost', { protected: true, roleExists: true }, 'PasswordChangeRefused'],
  ];

  it.each(refusals)('refuses: %s', (_case, inputs, reason) => {
    const decision = decidePassword({ ...base, ...inputs }, generate);
    expect(decision).toMatchObject({ kind: 'refuse', reason });
  });
});
