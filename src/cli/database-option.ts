import { DatabaseNotChosen, resolveDatabase, type DatabaseChoice } from '../client/database-choice.js';
import type { Session } from '../client/session.js';
import { UsageError } from './cli-error.js';

/**
 * --database for one command: several Databases and none named is a usage error (exit 2) that lists
 * them, as a missing argument is; a name that is not there is a failure (exit 1).
 */
export async function usageOfDatabaseChoice<T>(command: string, choose: () => T | Promise<T>): Promise<T> {
  try {
    return await choose();
  } catch (error) {
    if (error instanceof DatabaseNotChosen && error.problem.kind === 'several') throw new UsageError(error.message, command);
    throw error;
  }
}

/** The Database a command acts on (database-choice.ts), with the command line's usage error. */
export function chosenDatabase(session: Session, given: string | undefined, command: string): Promise<DatabaseChoice> {
  return usageOfDatabaseChoice(command, () => resolveDatabase(session, given));
}

/**
 * For update-password and delete: the Database whose users alone may be addressed, when --database
 * names it. The namespace's only Database, implied, restricts nothing (a user on a connection beside
 * it stays reachable as before); several and none named is the usage error.
 */
export async function explicitDatabase(session: Session, given: string | undefined, command: string): Promise<string | undefined> {
  const choice = await chosenDatabase(session, given, command);
  return choice.kind === 'database' && choice.explicit ? choice.database.name : undefined;
}
