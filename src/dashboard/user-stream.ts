/**
 * The live table: a server-sent-events stream of a namespace's users and Databases, fed by one
 * list-and-watch of each for as long as the page listens. Every change sends the whole snapshot (a
 * namespace holds few); a failure is reported to the page and retried. Someone who may not list
 * Databases (403), or a cluster without them (404), gets the users alone, as before Databases.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import type { Database } from '../api/database.js';
import { defaultUserOfLabel } from '../api/names.js';
import { databaseOf, inCreationOrder, viewDatabase } from '../client/database-view.js';
import type { PersonClient } from '../client/person-client.js';
import { inProviderOrder } from '../client/user-order.js';
import { KubeApiError } from '../kube/api-error.js';
import { explainError, explainReason } from './explain.js';
import { problemEvent, usersEvent, type NamespaceSnapshot, type UserRow } from './wire.js';

const retryDelayMs = 2_000;

export function userRowOf(user: DatabaseUser): UserRow {
  const view = viewDatabaseUser(user);
  const { name, username, readOnly, passwordEncryption, ready, reason, message, deleting } = view;
  const database = databaseOf(user);
  const defaultUserOf = user.metadata.labels?.[defaultUserOfLabel];
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
    ...(database === undefined ? {} : { database }),
    ...(defaultUserOf === undefined ? {} : { defaultUserOf }),
  };
}

export function snapshotOf(users: readonly DatabaseUser[], databases: readonly Database[]): NamespaceSnapshot {
  // The command line's orders: the default user first, then as they were created.
  return { users: inProviderOrder(users).map(userRowOf), databases: inCreationOrder(databases).map(viewDatabase) };
}

function writeEvent(response: ServerResponse, event: string, data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Databases the person cannot see: none to pick from, not a failure. */
function noDatabasesToSee(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 403 || error.status === 404);
}

/** Streams the namespace's users and Databases to `response` until the page goes away (the signal aborts). */
export async function streamUsers(client: PersonClient, response: ServerResponse, signal: AbortSignal): Promise<void> {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
  response.write(`retry: ${retryDelayMs}\n\n`);
  // A function, not the property: the type checker would take it as unchanged inside the loop.
  const stopped = () => signal.aborted;
  let users: DatabaseUser[] | undefined;
  let databases: Database[] | undefined;
  // Once both are listed, each change of either sends the whole snapshot.
  const send = () => {
    if (users !== undefined && databases !== undefined) writeEvent(response, usersEvent, snapshotOf(users, databases));
  };
  const follow = async (notLive: string, run: () => Promise<void>, unavailable?: (error: unknown) => boolean): Promise<void> => {
    while (!stopped()) {
      try {
        await run();
      } catch (error) {
        if (stopped()) break;
        if (unavailable?.(error) === true) return;
        writeEvent(response, problemEvent, { error: `${notLive}: ${explainError(error).message} Retrying.` });
        await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  };
  await Promise.all([
    follow('The table is not live', () =>
      client.followUsers((current) => {
        users = current;
        send();
      }, signal),
    ),
    follow(
      'The list of databases is not live',
      () =>
        client.followDatabases((current) => {
          databases = current;
          send();
        }, signal),
      (error) => {
        if (!noDatabasesToSee(error)) return false;
        databases = [];
        send();
        return true;
      },
    ),
  ]);
  response.end();
}
