import type { ReadyReason } from '../api/conditions.js';
import { passwordPolicyViolation } from '../api/password-policy.js';

export type ChosenPassword =
  { kind: 'none' } | { kind: 'value'; password: string; secretName: string; resourceVersion: string } | { kind: 'unreadable'; message: string };

export interface PasswordInputs {
  protected: boolean;
  roleExists: boolean;
  chosen: ChosenPassword;
  /** What the credentials Secret holds, and the reset token its password was generated for. */
  stored: { password: string; resetToken: string | undefined } | undefined;
  /** The Secret holds a password nobody can vouch for (someone else wrote it): treated as no password. */
  storedRejected: boolean;
  /** The dbuser.dev/reset-password annotation. */
  requestedResetToken: string | undefined;
  /** spec.passwordRotation's schedule says the generated password is due for replacement. */
  rotationDue: boolean;
}

export type PasswordChange = 'initial' | 'chosen' | 'reset' | 'regenerated' | 'restored' | 'rotation';

export type PasswordDecision =
  /** The credentials Secret already holds the password to use. */
  | { kind: 'keep'; password: string; resetToken: string | undefined }
  /** Write this password to the Secret first, then to the role. */
  | { kind: 'write'; password: string; resetToken: string | undefined; change: PasswordChange; mustMatchRole: boolean }
  /** Change nothing: report why. */
  | { kind: 'refuse'; reason: ReadyReason; message: string };

/**
 * Decides which password the user must have, from the spec, the credentials Secret and the reset
 * annotation. Pure: `generate` supplies new passwords. The credentials Secret is the store of the
 * current password; the chosen-password Secret and the reset annotation are requests to change it.
 */
export function decidePassword(inputs: PasswordInputs, generate: () => string): PasswordDecision {
  const { stored, chosen, requestedResetToken } = inputs;
  const resetPending = stored !== undefined && requestedResetToken !== undefined && requestedResetToken !== stored.resetToken;
  const keep = (password: string): PasswordDecision => ({ kind: 'keep', password, resetToken: stored?.resetToken });

  if (chosen.kind === 'unreadable') return { kind: 'refuse', reason: 'PasswordSecretInvalid', message: chosen.message };

  if (chosen.kind === 'value') {
    const violation = passwordPolicyViolation(chosen.password);
    if (violation) return { kind: 'refuse', reason: 'PasswordPolicyViolation', message: `Secret "${chosen.secretName}": ${violation}` };
    if (resetPending) {
      return {
        kind: 'refuse',
        reason: 'PasswordResetRefused',
        message: `the password is chosen in Secret "${chosen.secretName}": edit that Secret to change it, and remove the reset annotation`,
      };
    }
    if (stored?.password === chosen.password) return keep(chosen.password);
    if (stored !== undefined && inputs.protected) {
      return {
        kind: 'refuse',
        reason: 'PasswordChangeRefused',
        message: `the user is protected, so its password cannot change: the old password is kept; restore Secret "${chosen.secretName}" or set protected to false first`,
      };
    }
    const change: PasswordChange = stored !== undefined ? 'chosen' : inputs.roleExists ? 'restored' : 'initial';
    return {
      kind: 'write',
      password: chosen.password,
      resetToken: stored?.resetToken ?? requestedResetToken,
      change,
      mustMatchRole: inputs.protected && inputs.roleExists,
    };
  }

  if (stored !== undefined) {
    if (!resetPending && inputs.rotationDue && !inputs.protected) {
      return { kind: 'write', password: generate(), resetToken: stored.resetToken, change: 'rotation', mustMatchRole: false };
    }
    if (!resetPending) return keep(stored.password);
    if (inputs.protected) {
      return { kind: 'refuse', reason: 'PasswordResetRefused', message: 'the user is protected, so its password cannot be reset' };
    }
    return { kind: 'write', password: generate(), resetToken: requestedResetToken, change: 'reset', mustMatchRole: false };
  }
  if (inputs.roleExists && inputs.protected) {
    const what = inputs.storedRejected
      ? "the password in the credentials Secret was not written by dbuser-operator and is not the role's, so it was not applied"
      : 'the credentials Secret is missing';
    return {
      kind: 'refuse',
      reason: 'PasswordChangeRefused',
      message: `${what}, and the password of a protected user cannot change: restore the previous password in the Secret, or set protected to false to let the operator generate a new password`,
    };
  }
  return { kind: 'write', password: generate(), resetToken: requestedResetToken, change: inputs.roleExists ? 'regenerated' : 'initial', mustMatchRole: false };
}
