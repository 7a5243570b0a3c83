import { readFileSync, statSync } from 'node:fs';

/** A position in a log file, to read only what was appended after it. */
export function logOffset(file: string): number {
  return statSync(file).size;
}

export function readSince(file: string, offset: number): string {
  return readFileSync(file).subarray(offset).toString('utf8');
}

interface LoggedStatement {
  pid: string;
  text: string;
}

/**
 * Statements PostgreSQL logged (log_statement=all) in `database` since the offset, other than reads.
 * Lines look like "<time> [<pid>] postgres@db LOG:  statement: ALTER ROLE ..." or "... execute <unnamed>: ...".
 */
function loggedStatementsSince(file: string, offset: number, database: string): LoggedStatement[] {
  return readSince(file, offset)
    .split('\n')
    .filter((line) => line.includes(`@${database} LOG:`))
    .map((line) => /\[(\d+)\] .*?LOG:\s+(?:statement|execute [^:]*): (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid = '', text = '']) => ({ pid, text }))
    .filter((statement) => !/^\s*SELECT\b/i.test(statement.text));
}

/** BEGIN ... COMMIT/ROLLBACK on one backend, or a single statement outside a transaction. */
function groupIntoTransactions(statements: LoggedStatement[]): string[][] {
  const open = new Map<string, string[]>();
  const transactions: string[][] = [];
  for (const { pid, text } of statements) {
    const current = open.get(pid);
    if (current) {
      current.push(text);
      if (/^\s*(COMMIT|ROLLBACK)\b/i.test(text)) open.delete(pid);
    } else if (/^\s*BEGIN\b/i.test(text)) {
      const transaction = [text];
      transactions.push(transaction);
      open.set(pid, transaction);
    } else {
      transactions.push([text]);
    }
  }
  return transactions;
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;
const OWNED_BY = /^\s*(?:REASSIGN|DROP) OWNED BY "([^"]+)"/i;

/**
 * Write statements in `database` since the offset. Deleting a role reassigns what it owns in every
 * database, so another test's deletions reach this database too: pass `ownRoles` to leave out the
 * transactions that only clean up after roles outside that list.
 */
export function writeStatementsSince(file: string, offset: number, database: string, ownRoles?: readonly string[]): string[] {
  const transactions = groupIntoTransactions(loggedStatementsSince(file, offset, database));
  const cleansUpAfterOthers = (transaction: string[]) => {
    const work = transaction.filter((text) => !CONTROL.test(text));
    return (
      work.length > 0 &&
      work.every((text) => {
        const role = OWNED_BY.exec(text)?.[1];
        return role !== undefined && !ownRoles?.includes(role);
      })
    );
  };
  return transactions.filter((transaction) => ownRoles === undefined || !cleansUpAfterOthers(transaction)).flat();
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
