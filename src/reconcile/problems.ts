import type { ReadyReason } from '../api/conditions.js';
import { KubeApiError } from '../kube/api-error.js';
import { PostgresError, type PostgresFailure } from '../postgres/errors.js';
import { describeError } from '../runtime/describe-error.js';

/** When a reconcile that stopped short runs again. */
export type RetryPolicy =
  /** Input is wrong or someone else must act: when the object or one of its Secrets changes. */
  | 'when-changed'
  /** Transient: with the key's exponential backoff. */
  | 'with-backoff';

/** A reconcile that stops short, with the Ready reason and message to report. */
export class ReconcileProblem extends Error {
  constructor(
    readonly reason: ReadyReason,
    message: string,
    readonly retry: RetryPolicy,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'ReconcileProblem';
  }
}

/**
 * Another writer got there first (the object changed since it was read, concurrent DDL): nothing is
 * wrong with the user, so nothing is reported; the reconcile runs again with the key's backoff.
 */
export class RaceLost extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'RaceLost';
  }
}

const postgresReasons: Record<Exclude<PostgresFailure, 'concurrent-change'>, { reason: ReadyReason; advice?: string }> = {
  unavailable: { reason: 'ServerUnavailable' },
  authentication: { reason: 'AuthenticationFailed', advice: 'check the admin credentials in the connection Secret' },
  permission: { reason: 'PermissionDenied', advice: "the connection's role lacks a privilege the operator needs" },
  'missing-database': { reason: 'DatabaseNotFound' },
  timeout: { reason: 'ReconcileError', advice: 'the operator waits at most lock_timeout/statement_timeout' },
  'connection-limit': { reason: 'ConnectionLimitReached', advice: 'retried; PG_MAX_CONNECTIONS_PER_SERVER raises the bound' },
  unexpected: { reason: 'ReconcileError' },
};

/** Any error from a reconcile as what to tell the user: PostgreSQL's by category, the API server's by status. */
export function problemOf(error: unknown): ReconcileProblem | RaceLost {
  if (error instanceof ReconcileProblem || error instanceof RaceLost) return error;
  if (error instanceof KubeApiError) {
    if (error.conflict) return new RaceLost('the object changed meanwhile', { cause: error });
    const reason: ReadyReason = error.status === 403 ? 'PermissionDenied' : 'ReconcileError';
    return new ReconcileProblem(reason, `Kubernetes API: ${error.message}`, 'with-backoff', { cause: error });
  }
  if (error instanceof PostgresError) {
    if (error.failure === 'concurrent-change') return new RaceLost(error.message, { cause: error });
    const { reason, advice } = postgresReasons[error.failure];
    return new ReconcileProblem(reason, advice ? `${error.message} (${advice})` : error.message, 'with-backoff', { cause: error });
  }
  return new ReconcileProblem('ReconcileError', describeError(error), 'with-backoff', { cause: error });
}
