/**
 * The dashboard's routes, behind the gate of gated-server.ts: the page's files, the namespaces, the
 * live users stream and the three actions. Answers that carry a password are never cached.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { objectNameSchema } from '../api/database-user.js';
import { sessionIn, type Session } from '../client/session.js';
import { KubeApiError } from '../kube/api-error.js';
import type { ObjectList } from '../kube/objects.js';
import { namespaces, resourcePath } from '../kube/paths.js';
import type { Asset } from './assets.js';
import { explainError, sentence } from './explain.js';
import { BadRequest, readJson, sendJson } from './http-io.js';
import { createFromPage, deleteFromPage, resetFromPage } from './page-actions.js';
import { streamUsers } from './user-stream.js';
import type { NamespaceChoice, Problem } from './wire.js';

export interface RouteContext {
  session: Session;
  assets: ReadonlyMap<string, Asset>;
  timeoutMs: number;
}

/** The namespaces to pick from; undefined when the person may not list them (the page then asks for a name). */
async function namespaceChoice(session: Session): Promise<NamespaceChoice> {
  try {
    const list = await session.client.http.request<ObjectList<{ metadata?: { name?: string } }>>('GET', resourcePath(namespaces));
    const available = (list.items ?? []).flatMap((item) => (item.metadata?.name ? [item.metadata.name] : [])).sort();
    return { current: session.namespace, available };
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 403) return { current: session.namespace, available: undefined };
    throw error;
  }
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function namespaced(context: RouteContext, namespace: string): Session {
  if (!namespacePattern.test(namespace) || namespace.length > 63) throw new BadRequest(400, `"${namespace}" is not a namespace name`);
  return sessionIn(context.session, namespace);
}

function objectName(name: string): string {
  if (!objectNameSchema.safeParse(name).success) throw new BadRequest(400, `"${name}" is not a DatabaseUser name`);
  return name;
}

async function route(context: RouteContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const segments = url.pathname
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new BadRequest(400, `"${segment}" is not a valid path segment`);
      }
    });
  const asset = context.assets.get(url.pathname);
  if (asset && method === 'GET') {
    response.writeHead(200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' }).end(asset.body);
    return;
  }
  if (url.pathname === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  if (url.pathname === '/api/namespaces' && method === 'GET') {
    sendJson(response, 200, await namespaceChoice(context.session));
    return;
  }
  // /api/namespaces/<ns>/users[/<name>[/reset-password]] and /api/namespaces/<ns>/users/events
  const [api, namespaces, namespace = '', users, name, action, ...rest] = segments;
  if (api !== 'api' || namespaces !== 'namespaces' || users !== 'users' || rest.length > 0) throw new BadRequest(404, `no such page: ${url.pathname}`);
  const session = namespaced(context, namespace);
  if (name === 'events' && action === undefined && method === 'GET') {
    const closed = new AbortController();
    response.on('close', () => {
      closed.abort();
    });
    await streamUsers(session.client, response, closed.signal);
    return;
  }
  if (name === undefined && action === undefined && method === 'POST') {
    sendJson(response, 201, await createFromPage(session, await readJson(request), context.timeoutMs), { secret: true });
    return;
  }
  if (name !== undefined && action === 'reset-password' && method === 'POST') {
    sendJson(response, 200, await resetFromPage(session, objectName(name), context.timeoutMs), { secret: true });
    return;
  }
  if (name !== undefined && action === undefined && method === 'DELETE') {
    sendJson(response, 200, await deleteFromPage(session, objectName(name), context.timeoutMs));
    return;
  }
  throw new BadRequest(405, `${method} is not supported on ${url.pathname}`);
}

/** The handler for startGatedServer: every failure becomes a JSON { error } in words a person reads. */
export function dashboardRoutes(context: RouteContext): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    try {
      await route(context, request, response);
    } catch (error) {
      if (response.headersSent) {
        response.end();
        return;
      }
      const { status, message, field } = error instanceof BadRequest ? { status: error.status, message: sentence(error.message) } : explainError(error);
      sendJson(response, status, { error: message, ...(field === undefined ? {} : { field }) } satisfies Problem);
    }
  };
}
