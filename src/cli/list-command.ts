import { dump } from 'js-yaml';
import { viewDatabaseUser, type DatabaseUserView } from '../api/database-user-view.js';
import type { ListOutput, Target } from './arguments.js';
import type { CliIo } from './io.js';
import { openSession } from '../client/session.js';
import { renderBoxedTable } from './table.js';
import { inProviderOrder } from '../client/user-order.js';
import { usersOfDatabase } from '../client/database-view.js';
import { chosenDatabase } from './database-option.js';

const providerColumns = ['USERNAME', 'READ-ONLY', 'PROTECTED', 'PASSWORD ENCRYPTION'];
const wideColumns = [...providerColumns, 'NAME', 'READY', 'REASON'];

function providerCells(view: DatabaseUserView): string[] {
  return [view.username, String(view.readOnly), String(view.protected), view.passwordEncryption];
}

/** The fields scripts get with -o json|yaml. */
function record(view: DatabaseUserView) {
  const { name, username, readOnly, protected: isProtected, passwordEncryption, ready, reason, message } = view;
  return { name, username, readOnly, protected: isProtected, passwordEncryption, ready, reason, message };
}

export function renderList(views: readonly DatabaseUserView[], output: ListOutput): string {
  switch (output) {
    case 'table':
      return renderBoxedTable(providerColumns, views.map(providerCells));
    case 'wide':
      return renderBoxedTable(
        wideColumns,
        views.map((view) => [...providerCells(view), view.name, view.ready, view.reason]),
      );
    case 'json':
      return `${JSON.stringify(views.map(record), null, 2)}\n`;
    case 'yaml':
      return dump(views.map(record));
  }
}

/**
 * `list`: the users of the chosen Database (database-choice.ts), or in a namespace without Databases
 * all its DatabaseUsers, in the provider's order (user-order.ts), the same for every -o.
 */
export async function runList(target: Target, database: string | undefined, output: ListOutput, io: CliIo): Promise<void> {
  const session = await openSession(target, io.env, io.stdin.isTTY === true);
  try {
    const choice = await chosenDatabase(session, database, 'list');
    const users = await session.client.listUsers();
    const shown = choice.kind === 'database' ? usersOfDatabase(users, choice.database.name) : users;
    const views = inProviderOrder(shown).map(viewDatabaseUser);
    if (views.length === 0 && (output === 'table' || output === 'wide')) {
      const of = choice.kind === 'database' ? ` of Database "${choice.database.name}"` : '';
      io.stderr.write(`No database users found${of} in namespace "${session.namespace}".\n`);
      return;
    }
    io.stdout.write(renderList(views, output));
  } finally {
    await session.close();
  }
}
