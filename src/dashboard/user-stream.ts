/**
 * The live table: a server-sent-events stream of a namespace's users, fed by one list-and-watch of
 * its DatabaseUsers for as long as the page listens. Every change sends the whole table (a namespace
 * holds few users); a failure is reported to the page and retried.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import type { PersonClient } from '../client/person-client.js';
import { inProviderOrder } from '../client/user-order.js';
import { explainError, explainReason } from './explain.js';
import { problemEvent, usersEvent, type UserRow } from './wire.js';

const retryDelayMs = 2_000;

export function userRowOf(user: DatabaseUser): UserRow {
  const view = viewDatabaseUser(user);
  const { name, username, readOnly, passwordEncryption, ready, reason, message, deleting } = view;
  return {
    name,
    username,
    readOnly,
    protected: view.protected,
    passwordEncryption,
    ready,
    reason,
    message,
    deleting,
    explanation: explainReason(ready, reason, deleting),
  };
}

function writeEvent(response: ServerResponse, event: string, data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Streams the namespace's users to `response` until the page goes away (the signal aborts). */
export async function streamUsers(client: PersonClient, response: ServerResponse, signal: AbortSignal): Promise<void> {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
  response.write(`retry: ${retryDelayMs}\n\n`);
  // A function, not the property: the type checker would take it as unchanged inside the loop.
  const stopped = () => signal.aborted;
  while (!stopped()) {
    try {
      await client.followUsers((users) => {
        // The command line's order: the protected default user first, then as they were created.
        writeEvent(response, usersEvent, inProviderOrder(users).map(userRowOf));
      }, signal);
    } catch (error) {
      if (stopped()) break;
      writeEvent(response, problemEvent, { error: `The table is not live: ${explainError(error).message} Retrying.` });
      await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
  }
  response.end();
}
