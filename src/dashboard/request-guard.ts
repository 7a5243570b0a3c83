/**
 * The dashboard's gate, as a pure decision: whether one HTTP request may be served (DESIGN §11).
 * It has no side effects; the server applies the answer and keeps the gate's state. A request passes
 * only when it is addressed to the loopback listener by name (Host: 127.0.0.1:<port>, so a DNS-rebound
 * name is refused), any Origin is that same address (no cross-site requests), and it carries either
 * the one-time token in the query (its first use only: it is then traded for a session) or the
 * session cookie of this port. A request target that does not parse is refused, never thrown.
 */
import { timingSafeEqual } from 'node:crypto';

export const tokenParameter = 'token';

/** The session cookie's name: cookies are shared by every port of 127.0.0.1, so each dashboard has its own. */
export function sessionCookieName(port: number): string {
  return `dbuser_dashboard_${port}`;
}

export interface GuardedRequest {
  host: string | undefined;
  origin: string | undefined;
  /** The request target, path and query, as received. */
  url: string;
  cookie: string | undefined;
}

/** What the gate knows: the token until its first use, then the one session it was traded for. */
export interface GateState {
  token: string | undefined;
  session: string | undefined;
}

export type GuardDecision =
  /** Serve it. */
  | { allow: true; kind: 'serve' }
  /** The token's first use: trade it for a session cookie and redirect to `location`, the URL without it. */
  | { allow: true; kind: 'start-session'; location: string }
  /** A known session that came back with the token in the query: redirect to the URL without it. */
  | { allow: true; kind: 'drop-token'; location: string }
  | { allow: false; status: 400 | 403; reason: string };

export function guardRequest(request: GuardedRequest, gate: GateState, port: number): GuardDecision {
  const self = `127.0.0.1:${port}`;
  if (request.host !== self) return { allow: false, status: 403, reason: `Host must be ${self}` };
  if (request.origin !== undefined && request.origin !== `http://${self}`) return { allow: false, status: 403, reason: 'cross-origin request' };
  const target = parseTarget(request.url, self);
  if (target === undefined) return { allow: false, status: 400, reason: 'malformed request target' };
  const query = target.searchParams.get(tokenParameter);
  target.searchParams.delete(tokenParameter);
  const location = `${target.pathname}${target.search}`;
  const session = cookieValue(request.cookie, sessionCookieName(port));
  if (session !== undefined && gate.session !== undefined && sameSecret(session, gate.session)) {
    return query === null ? { allow: true, kind: 'serve' } : { allow: true, kind: 'drop-token', location };
  }
  if (query !== null && gate.token !== undefined && sameSecret(query, gate.token)) return { allow: true, kind: 'start-session', location };
  if (query !== null && gate.token === undefined) {
    return {
      allow: false,
      status: 403,
      reason: 'this link was already used: go back to the browser tab it opened, or start kubectl dbuser dashboard again for a new link',
    };
  }
  return { allow: false, status: 403, reason: 'missing or wrong token' };
}

/** The target as a URL of this listener, or undefined when it is not an origin-form path of it ("//", "//host:99999", "*"). */
function parseTarget(url: string, self: string): URL | undefined {
  if (!url.startsWith('/') || url.startsWith('//')) return undefined;
  try {
    const target = new URL(url, `http://${self}`);
    return target.host === self ? target : undefined;
  } catch {
    return undefined;
  }
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

export function sessionCookieHeader(port: number, session: string): string {
  return `${sessionCookieName(port)}=${session}; Path=/; HttpOnly; SameSite=Strict`;
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
