import type { ReadyReason } from '../api/conditions.js';
import { KubeApiError } from '../kubernetes/kube-api-error.js';
import { classifyPostgresError } from '../postgres/errors.js';

/** How a reconcile that could not finish is retried. */
export type RetryPolicy =
  /** Input is wrong or someone else must act: wait for a change to the object or its Secrets. */
  | 'on-change'
  /** Transient: retry with the key's exponential backoff. */
  | 'backoff'
  /** A race the next attempt resolves: retry at once (still rate-limited per key). */
  | 'now';

/** A reconcile that stops short, with the Ready reason and message to report. */
export class ReconcileProblem extends Error {
  constructor(
    readonly reason: ReadyReason,
    message: string,
    readonly retry: RetryPolicy,
  ) {
    super(message);
    this.name = 'ReconcileProblem';
  }
}

/** Any error from a reconcile as a problem: PostgreSQL's by SQLSTATE, the API server's by status. */
export function toProblem(error: unknown): ReconcileProblem {
  if (error instanceof ReconcileProblem) return error;
  if (error instanceof KubeApiError) {
    if (error.conflict) return new ReconcileProblem('ReconcileError', 'the object changed meanwhile; retrying', 'now');
    const reason: ReadyReason = error.status === 403 ? 'PermissionDenied' : 'ReconcileError';
    return new ReconcileProblem(reason, `Kubernetes API: ${error.message}`, 'backoff');
  }
  const classified = classifyPostgresError(error);
  return new ReconcileProblem(classified.reason, classified.message, classified.retryNow ? 'now' : 'backoff');
}
