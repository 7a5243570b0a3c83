import { readFileSync, statSync } from 'node:fs';

/** A position in a log file, to read only what was appended after it. */
export function logOffset(file: string): number {
  return statSync(file).size;
}

export function readSince(file: string, offset: number): string {
  return readFileSync(file).subarray(offset).toString('utf8');
}

/**
 * Statements PostgreSQL logged (log_statement=all) in `database` since the offset, other than reads.
 * Lines look like "... postgres@db LOG:  statement: ALTER ROLE ..." or "... execute <unnamed>: ...".
 */
export function writeStatementsSince(file: string, offset: number, database: string): string[] {
  return readSince(file, offset)
    .split('\n')
    .filter((line) => line.includes(`@${database} LOG:`))
    .map((line) => /LOG:\s+(?:statement|execute [^:]*): (.*)$/.exec(line)?.[1])
    .filter((statement): statement is string => statement !== undefined && !/^\s*SELECT\b/i.test(statement));
}

export interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/** Write requests the API server audited since the offset, by one user in one namespace. */
export function auditedWritesSince(file: string, offset: number, username: string, namespace: string): AuditEvent[] {
  return readSince(file, offset)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.user.username === username && event.objectRef?.namespace === namespace);
}
