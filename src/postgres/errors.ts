import { networkErrorCode } from '../runtime/network-error.js';
import { ConnectionBoundReached } from './server-connections.js';
/**
 * What went wrong talking to PostgreSQL, as the reconcile layer needs to know it. The adapter says
 * what happened; the reconcile layer decides what to tell the user and when to retry.
 */
export type PostgresFailure =
  /** The server cannot be reached, or went away. */
  | 'unavailable'
  /** The admin credentials were refused. */
  | 'authentication'
  /** The admin role lacks a privilege. */
  | 'permission'
  /** The database does not exist. */
  | 'missing-database'
  /** Another session changed the same catalog rows at the same moment (the next attempt resolves it). */
  | 'concurrent-change'
  /** lock_timeout or statement_timeout ended the wait. */
  | 'timeout'
  /** The operator's own bound on connections to the server was reached for longer than the wait (ADR 24). */
  | 'connection-limit'
  | 'unexpected';

/** An error from PostgreSQL or the network, classified; the original is its cause. */
export class PostgresError extends Error {
  constructor(
    readonly failure: PostgresFailure,
    /** The SQLSTATE or Node error code, when there is one. */
    readonly code: string | undefined,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'PostgresError';
  }
}

const unavailableText = /Connection terminated|timeout expired|server closed the connection|does not support SSL/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function failureOf(code: string, text: string): PostgresFailure {
  if (networkErrorCode({ code }) !== undefined || code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code) || unavailableText.test(text))
    return 'unavailable';
  switch (code) {
    case '28P01':
    case '28000':
      return 'authentication';
    case '3D000':
      return 'missing-database';
    case '42501':
      return 'permission';
    case '42710': // duplicate_object: created concurrently
    case '23505': // unique_violation: the same, before the first commit
    case 'XX000': // tuple concurrently updated
    case '40001':
    case '40P01':
      return 'concurrent-change';
    case '55P03': // lock_not_available (lock_timeout)
    case '57014': // query_canceled (statement_timeout)
      return 'timeout';
    default:
      return 'unexpected';
  }
}

/**
 * The error as a PostgresError when it came from PostgreSQL or the network (it has a code, or is one
 * of node-postgres's connection errors); anything else (a bug) is returned unchanged. The message is
 * the SQLSTATE and PostgreSQL's text, never SQL.
 */
export function asPostgresError(error: unknown): unknown {
  if (error instanceof PostgresError || !(error instanceof Error)) return error;
  if (error instanceof ConnectionBoundReached) return new PostgresError('connection-limit', undefined, error.message, { cause: error });
  const code = codeOf(error);
  if (code === undefined && !unavailableText.test(error.message)) return error;
  const message = code ? `PostgreSQL error ${code}: ${error.message}` : `PostgreSQL: ${error.message}`;
  return new PostgresError(failureOf(code ?? '', error.message), code, message, { cause: error });
}
