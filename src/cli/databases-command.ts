import { dump } from 'js-yaml';
import { inCreationOrder, viewDatabase, type DatabaseView } from '../client/database-view.js';
import { openSession } from '../client/session.js';
import type { ListOutput, Target } from './arguments.js';
import type { CliIo } from './io.js';
import { renderBoxedTable } from './table.js';

const columns = ['NAME', 'DATABASE', 'SERVER', 'DEFAULT USER', 'USERS', 'READY'];
const wideColumns = [...columns, 'REASON', 'MESSAGE'];

function cells(view: DatabaseView): string[] {
  return [view.name, view.databaseName, view.server, view.defaultUser, view.users === undefined ? '' : String(view.users), view.ready];
}

/** The fields scripts get with -o json|yaml. */
function record(view: DatabaseView) {
  const { name, databaseName, server, defaultUser, users, ready, reason, message } = view;
  return { name, databaseName, server, defaultUser, users: users ?? null, ready, reason, message };
}

export function renderDatabases(views: readonly DatabaseView[], output: ListOutput): string {
  switch (output) {
    case 'table':
      return renderBoxedTable(columns, views.map(cells));
    case 'wide':
      return renderBoxedTable(
        wideColumns,
        views.map((view) => [...cells(view), view.reason, view.message]),
      );
    case 'json':
      return `${JSON.stringify(views.map(record), null, 2)}\n`;
    case 'yaml':
      return dump(views.map(record));
  }
}

/** `databases`: the namespace's Databases (the provider's `databases`), in the order they were created. */
export async function runDatabases(target: Target, output: ListOutput, io: CliIo): Promise<void> {
  const session = await openSession(target, io.env, io.stdin.isTTY === true);
  try {
    // Unlike the other commands' choice of a Database, a refusal to list them (403) is the answer here.
    const views = inCreationOrder(await session.client.listDatabases()).map(viewDatabase);
    if (views.length === 0 && (output === 'table' || output === 'wide')) {
      io.stderr.write(`No databases found in namespace "${session.namespace}".\n`);
      return;
    }
    io.stdout.write(renderDatabases(views, output));
  } finally {
    await session.close();
  }
}
