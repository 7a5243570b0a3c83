/**
 * The dashboard's HTTP listener: 127.0.0.1 only, every request through the gate (request-guard.ts),
 * the security headers on every response. What is served is the caller's handler; this module only
 * decides who gets to it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardRequest, securityHeaders, tokenCookieHeader, tokenParameter } from './request-guard.js';

export const loopback = '127.0.0.1';

export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface GatedServer {
  /** The URL to open, with the one-time token. */
  url: string;
  port: number;
  server: Server;
  close: () => Promise<void>;
}

/** A token of 256 random bits, URL-safe. */
export function newDashboardToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function startGatedServer(options: { port: number; token: string; handler: DashboardHandler }): Promise<GatedServer> {
  let port = options.port;
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    const decision = guardRequest(
      { host: request.headers.host, origin: request.headers.origin, url: request.url ?? '/', cookie: request.headers.cookie },
      options.token,
      port,
    );
    if (!decision.allow) {
      response.writeHead(decision.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Forbidden: ${decision.reason}\n`);
      return;
    }
    if (decision.setCookie) {
      // Trade the token in the address bar (and the history) for a cookie, then show the clean URL.
      const clean = new URL(request.url ?? '/', `http://${loopback}:${port}`);
      clean.searchParams.delete(tokenParameter);
      response.writeHead(303, { 'Set-Cookie': tokenCookieHeader(options.token), Location: `${clean.pathname}${clean.search}` }).end();
      return;
    }
    Promise.resolve(options.handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`Internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
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
