import type { ReadyReason } from '../api/conditions.js';

export interface ClassifiedError {
  reason: ReadyReason;
  /** Safe for status, events and logs: an SQLSTATE and PostgreSQL's message, never SQL text. */
  message: string;
  /** Retry immediately: a race that the next attempt resolves (concurrent DDL, role just created). */
  retryNow: boolean;
}

interface PgError {
  code?: string;
  message?: string;
}

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

function isPgError(error: unknown): error is Error & PgError {
  return error instanceof Error && typeof (error as PgError).code === 'string';
}

/**
 * Maps what PostgreSQL (or the network) answered to a Ready reason. Expected SQLSTATEs get their own
 * reason; anything else is a ReconcileError that is retried with backoff.
 */
export function classifyPostgresError(error: unknown): ClassifiedError {
  const code = isPgError(error) ? (error.code ?? '') : '';
  const text = error instanceof Error ? error.message : String(error);
  const message = code ? `PostgreSQL error ${code}: ${text}` : `PostgreSQL: ${text}`;
  if (
    networkCodes.has(code) ||
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '53300'].includes(code) ||
    /Connection terminated|timeout expired|server closed the connection|does not support SSL/i.test(text)
  ) {
    return { reason: 'ServerUnavailable', message, retryNow: false };
  }
  switch (code) {
    case '28P01':
    case '28000':
      return { reason: 'AuthenticationFailed', message: `${message} (check the admin credentials in the connection Secret)`, retryNow: false };
    case '3D000':
      return { reason: 'DatabaseNotFound', message, retryNow: false };
    case '42501':
      return { reason: 'PermissionDenied', message: `${message} (the connection's role lacks a privilege the operator needs)`, retryNow: false };
    case '42710': // duplicate_object: created concurrently
    case '23505': // unique_violation: the same, before the first commit
    case 'XX000': // tuple concurrently updated
    case '40001':
    case '40P01':
      return { reason: 'ReconcileError', message, retryNow: true };
    case '55P03': // lock_not_available (lock_timeout)
    case '57014': // query_canceled (statement_timeout)
      return { reason: 'ReconcileError', message: `${message} (the operator waits at most lock_timeout/statement_timeout)`, retryNow: false };
    default:
      return { reason: 'ReconcileError', message, retryNow: false };
  }
}
