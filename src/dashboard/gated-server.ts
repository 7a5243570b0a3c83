/**
 * The dashboard's HTTP listener: 127.0.0.1 only, every request through the gate (request-guard.ts),
 * the security headers on every response. What is served is the caller's handler; this module only
 * decides who gets to it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardRequest, securityHeaders, sessionCookieHeader, tokenParameter, type GateState } from './request-guard.js';

export const loopback = '127.0.0.1';

export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface GatedServer {
  /** The URL to open, with the one-time token (it works once: its first use starts the session). */
  url: string;
  port: number;
  server: Server;
  close: () => Promise<void>;
}

/** 256 random bits, URL-safe: the one-time token, and the session it is traded for. */
export function newDashboardToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function startGatedServer(options: { port: number; token: string; handler: DashboardHandler }): Promise<GatedServer> {
  let port = options.port;
  const gate: GateState = { token: options.token, session: undefined };
  const fail = (response: ServerResponse, status: number, text: string): void => {
    if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`${text}\n`);
  };
  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    const decision = guardRequest(
      { host: request.headers.host, origin: request.headers.origin, url: request.url ?? '/', cookie: request.headers.cookie },
      gate,
      port,
    );
    if (!decision.allow) {
      fail(response, decision.status, `${decision.status === 400 ? 'Bad request' : 'Forbidden'}: ${decision.reason}`);
      return;
    }
    if (decision.kind === 'start-session') {
      // The token is spent: the address bar (and the history) keep a link that no longer works.
      gate.token = undefined;
      gate.session = newDashboardToken();
      response.writeHead(303, { 'Set-Cookie': sessionCookieHeader(port, gate.session), Location: decision.location }).end();
      return;
    }
    if (decision.kind === 'drop-token') {
      response.writeHead(303, { Location: decision.location }).end();
      return;
    }
    Promise.resolve(options.handler(request, response)).catch((error: unknown) => {
      fail(response, 500, `Internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  const server = createServer((request, response) => {
    // Whatever a request holds, it gets an answer and the process goes on serving.
    try {
      serve(request, response);
    } catch {
      fail(response, 400, 'Bad request');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, loopback, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${loopback}:${port}/?${tokenParameter}=${options.token}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
