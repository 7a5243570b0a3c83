import { describe, expect, it } from '@jest/globals';
import { guardRequest, securityHeaders, sessionCookieHeader, type GateState } from '../../../src/dashboard/request-guard.js';

const token = 'a'.repeat(43);
const session = 's'.repeat(43);
const port = 40123;
const self = `127.0.0.1:${port}`;
const fresh: GateState = { token, session: undefined };
const started: GateState = { token: undefined, session };
const cookie = `other=1; ${sessionCookieHeader(port, session).split(';')[0] ?? ''}`;

describe('guardRequest', () => {
  it("trades the token's first use for a session, redirecting to the URL without it", () => {
    expect(guardRequest({ host: self, origin: undefined, url: `/?token=${token}&x=1`, cookie: undefined }, fresh, port)).toEqual({
      allow: true,
      kind: 'start-session',
      location: '/?x=1',
    });
  });

  it('lets later requests in with the session cookie of this port', () => {
    expect(guardRequest({ host: self, origin: `http://${self}`, url: '/api/users', cookie }, started, port)).toEqual({ allow: true, kind: 'serve' });
  });

  // Security review, finding 4: the printed URL works once, and the cookie is a session, not the token.
  describe('finding 4 (the token is one-time)', () => {
    it('refuses the token once it has been used, saying so', () => {
      expect(guardRequest({ host: self, origin: undefined, url: `/?token=${token}`, cookie: undefined }, started, port)).toMatchObject({
        allow: false,
        status: 403,
        reason: expect.stringContaining('already used'),
      });
    });

    it('refuses the token used as a cookie, and the session cookie of another port', () => {
      expect(guardRequest({ host: self, origin: undefined, url: '/', cookie: `dbuser_dashboard_${port}=${token}` }, started, port)).toMatchObject({
        allow: false,
      });
      const otherPort = sessionCookieHeader(port + 1, session).split(';')[0] ?? '';
      expect(guardRequest({ host: self, origin: undefined, url: '/', cookie: otherPort }, started, port)).toMatchObject({ allow: false });
    });

    it('sends a known session that comes back with the token to the URL without it', () => {
      expect(guardRequest({ host: self, origin: undefined, url: `/?token=${token}`, cookie }, started, port)).toEqual({
        allow: true,
        kind: 'drop-token',
        location: '/',
      });
    });
  });

  // Security review, finding 3: a request target that does not parse is a 400, never an exception.
  describe('finding 3 (malformed request targets)', () => {
    it.each(['//', '//a:99999', '//evil.example/x', '*', 'http://127.0.0.1/', '', '/%', '/\u0000'])('answers %j with 400 or 403, never throwing', (url) => {
      for (const gate of [fresh, started]) {
        const decision = guardRequest({ host: self, origin: undefined, url, cookie }, gate, port);
        if (decision.allow) expect(decision.kind).toBe('serve');
        else expect([400, 403]).toContain(decision.status);
      }
      expect(guardRequest({ host: self, origin: undefined, url: '//', cookie: undefined }, fresh, port)).toEqual({
        allow: false,
        status: 400,
        reason: 'malformed request target',
      });
    });
  });

  it.each([
    ['no token', { host: self, origin: undefined, url: '/', cookie: undefined }, 'missing or wrong token'],
    ['a wrong token', { host: self, origin: undefined, url: `/?token=${'b'.repeat(43)}`, cookie: undefined }, 'missing or wrong token'],
    ['a shorter token', { host: self, origin: undefined, url: '/?token=a', cookie: `dbuser_dashboard_${port}=a` }, 'missing or wrong token'],
    ['a foreign Origin', { host: self, origin: 'https://evil.example', url: `/?token=${token}`, cookie: undefined }, 'cross-origin request'],
    ['localhost as Host', { host: `localhost:${port}`, origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
    ['a rebound name as Host', { host: `attacker.example:${port}`, origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
    ['another port', { host: '127.0.0.1:80', origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
    ['no Host', { host: undefined, origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
  ])('refuses a request with %s', (_what, request, reason) => {
    expect(guardRequest(request, fresh, port)).toEqual({ allow: false, status: 403, reason });
  });
});

describe('securityHeaders', () => {
  it('allow scripts from the dashboard itself only, never inline', () => {
    const csp = securityHeaders['Content-Security-Policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });
});
