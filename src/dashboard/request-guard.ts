/**
 * The dashboard's gate, as a pure decision: whether one HTTP request may be served (DESIGN §11).
 * It has no side effects; the server applies the answer. A request passes only when it is addressed
 * to the loopback listener by name (Host: 127.0.0.1:<port>, so a DNS-rebound name is refused), any
 * Origin is that same address (no cross-site requests), and it carries the one-time token, in the
 * query on the first visit or in the cookie the server then sets.
 */
import { timingSafeEqual } from 'node:crypto';

export const tokenCookie = 'dbuser_dashboard';
export const tokenParameter = 'token';

export interface GuardedRequest {
  host: string | undefined;
  origin: string | undefined;
  /** The request target, path and query, as received. */
  url: string;
  cookie: string | undefined;
}

export type GuardDecision =
  | { allow: true; /** the token came in the query: set the cookie and redirect to the URL without it */ setCookie: boolean }
  | { allow: false; status: 403; reason: string };

export function guardRequest(request: GuardedRequest, token: string, port: number): GuardDecision {
  const self = `127.0.0.1:${port}`;
  if (request.host !== self) return { allow: false, status: 403, reason: `Host must be ${self}` };
  if (request.origin !== undefined && request.origin !== `http://${self}`) return { allow: false, status: 403, reason: 'cross-origin request' };
  const query = new URL(request.url, `http://${self}`).searchParams.get(tokenParameter);
  if (query !== null && sameSecret(query, token)) return { allow: true, setCookie: true };
  const cookie = cookieValue(request.cookie, tokenCookie);
  if (cookie !== undefined && sameSecret(cookie, token)) return { allow: true, setCookie: false };
  return { allow: false, status: 403, reason: 'missing or wrong token' };
}

/** Headers every response carries: no inline script, nothing from elsewhere, not framed. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** For responses that carry a password. */
export const noStoreHeaders: Readonly<Record<string, string>> = { 'Cache-Control': 'no-store' };

export function tokenCookieHeader(token: string): string {
  return `${tokenCookie}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
