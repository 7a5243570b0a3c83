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

/** A status's conditions: a list keyed by type (server-side apply merges by it), described for `kubectl explain`. */
export function conditionsField(description: string) {
  return z
    .array(conditionSchema)
    .optional()
    .meta({ description, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
}

/**
 * Condition types. Ready is ours; Reconciling and Stalled follow the kstatus conventions of
 * sigs.k8s.io/cli-utils, which Flux and kubectl-style waits read (and our Argo CD health script),
 * so GitOps tooling tells "in progress" from "failed" (ADR 12).
 */
export const conditionTypes = {
  Ready: 'Ready',
  /** True while a transient failure (ServerUnavailable, ReconcileError) is being retried. */
  Reconciling: 'Reconciling',
  /** True when the user cannot become Ready without a change from a person: a terminal reason. */
  Stalled: 'Stalled',
} as const;

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
  /** Every connection the operator may open to the server was in use for longer than PG_CONNECTION_WAIT: retried. */
  ConnectionLimitReached: 'ConnectionLimitReached',
  AuthenticationFailed: 'AuthenticationFailed',
  PermissionDenied: 'PermissionDenied',
  DatabaseNotFound: 'DatabaseNotFound',
  PasswordSecretInvalid: 'PasswordSecretInvalid',
  PasswordPolicyViolation: 'PasswordPolicyViolation',
  PasswordChangeRefused: 'PasswordChangeRefused',
  PasswordResetRefused: 'PasswordResetRefused',
  PasswordRotationRefused: 'PasswordRotationRefused',
  RoleConflict: 'RoleConflict',
  SecretConflict: 'SecretConflict',
  DeletionBlocked: 'DeletionBlocked',
  ReconcileError: 'ReconcileError',
  /** With the operator's default connection: spec.database is not that connection's own database. */
  DatabaseNotAllowed: 'DatabaseNotAllowed',
  /** The DatabaseServer does not let this namespace use it. */
  ServerNotAllowed: 'ServerNotAllowed',
  /** The DatabaseServer (or the Database's server) does not exist. */
  ServerNotFound: 'ServerNotFound',
  /** Over one of the DatabaseServer's limits for this namespace. */
  QuotaExceeded: 'QuotaExceeded',
  /** The Database (databaseRef) is not created yet: retried until it is. */
  DatabaseNotReady: 'DatabaseNotReady',
  /** The database name, or the default user's DatabaseUser name, is taken by something the operator did not create for this Database. */
  DatabaseConflict: 'DatabaseConflict',
  /** A Database being deleted waits for its users (other than its default user) to go. */
  UsersRemain: 'UsersRemain',
  /** A DatabaseServer being deleted waits for its Databases to go. */
  InUse: 'InUse',
  /** The default user of a Database is not Ready yet. */
  DefaultUserNotReady: 'DefaultUserNotReady',
  /** The user's Database carries another shard key (sharding.fluxcd.io/key) than the user: ADR 25. */
  ShardMismatch: 'ShardMismatch',
} as const;

export type ReadyReason = keyof typeof readyReasons;

/**
 * Reasons that need a person (or another object) to change before the user can become Ready: a tool
 * waiting for Ready stops at one of these and reports it, and the status says Stalled=True. The
 * others pass by themselves (ServerUnavailable, ReconcileError: retried with backoff, Reconciling=True).
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
  'PasswordRotationRefused',
  'RoleConflict',
  'SecretConflict',
  'DeletionBlocked',
  'DatabaseNotAllowed',
  'ServerNotAllowed',
  'ServerNotFound',
  'QuotaExceeded',
  'DatabaseConflict',
  'InUse',
  'ShardMismatch',
];

export function isTerminalReadyReason(reason: string | undefined): boolean {
  return (terminalReadyReasons as readonly string[]).includes(reason ?? '');
}
