import * as z from 'zod';

/** metav1.Condition, as the CRD schema and the status writer need it. */
export const conditionSchema = z.object({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: z.string().meta({ format: 'date-time' }),
  reason: z.string().min(1).max(1024),
  message: z.string().max(32768),
});

export type Condition = z.output<typeof conditionSchema>;

/**
 * Why a DatabaseUser is or is not Ready. Each is documented in the README's troubleshooting table;
 * the retry policy for each lives with the reconcile outcome.
 */
export const readyReasons = {
  Reconciled: 'Reconciled',
  InvalidSpec: 'InvalidSpec',
  NoConnection: 'NoConnection',
  ConnectionSecretInvalid: 'ConnectionSecretInvalid',
  ServerUnavailable: 'ServerUnavailable',
  AuthenticationFailed: 'AuthenticationFailed',
  PermissionDenied: 'PermissionDenied',
  DatabaseNotFound: 'DatabaseNotFound',
  PasswordSecretInvalid: 'PasswordSecretInvalid',
  PasswordPolicyViolation: 'PasswordPolicyViolation',
  PasswordChangeRefused: 'PasswordChangeRefused',
  PasswordResetRefused: 'PasswordResetRefused',
  RoleConflict: 'RoleConflict',
  SecretConflict: 'SecretConflict',
  DeletionBlocked: 'DeletionBlocked',
  ReconcileError: 'ReconcileError',
} as const;

export type ReadyReason = keyof typeof readyReasons;

/**
 * Reasons that need a person (or another object) to change before the user can become Ready: a tool
 * waiting for Ready stops at one of these and reports it. The others pass by themselves
 * (ServerUnavailable, ReconcileError: retried with backoff).
 */
export const terminalReadyReasons: readonly ReadyReason[] = [
  'InvalidSpec',
  'NoConnection',
  'ConnectionSecretInvalid',
  'AuthenticationFailed',
  'PermissionDenied',
  'DatabaseNotFound',
  'PasswordSecretInvalid',
  'PasswordPolicyViolation',
  'PasswordChangeRefused',
  'PasswordResetRefused',
  'RoleConflict',
  'SecretConflict',
  'DeletionBlocked',
];

export function isTerminalReadyReason(reason: string | undefined): boolean {
  return (terminalReadyReasons as readonly string[]).includes(reason ?? '');
}
