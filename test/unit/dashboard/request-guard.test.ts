import { describe, expect, it } from '@jest/globals';
import { guardRequest, securityHeaders, tokenCookieHeader } from '../../../src/dashboard/request-guard.js';

const token = 'a'.repeat(43);
const port = 40123;
const self = `127.0.0.1:${port}`;

describe('guardRequest', () => {
  it('lets the first visit in with the token in the query and asks for the cookie', () => {
    expect(guardRequest({ host: self, origin: undefined, url: `/?token=${token}`, cookie: undefined }, token, port)).toEqual({ allow: true, setCookie: true });
  });

  it('lets later requests in with the cookie', () => {
    const cookie = `other=1; ${tokenCookieHeader(token).split(';')[0]}`;
    expect(guardRequest({ host: self, origin: `http://${self}`, url: '/api/users', cookie }, token, port)).toEqual({ allow: true, setCookie: false });
  });

  it.each([
    ['no token', { host: self, origin: undefined, url: '/', cookie: undefined }, 'missing or wrong token'],
    ['a wrong token', { host: self, origin: undefined, url: `/?token=${'b'.repeat(43)}`, cookie: undefined }, 'missing or wrong token'],
    ['a shorter token', { host: self, origin: undefined, url: '/?token=a', cookie: `dbuser_dashboard=a` }, 'missing or wrong token'],
    ['a foreign Origin', { host: self, origin: 'https://evil.example', url: `/?token=${token}`, cookie: undefined }, 'cross-origin request'],
    ['localhost as Host', { host: `localhost:${port}`, origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
    ['a rebound name as Host', { host: `attacker.example:${port}`, origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
    ['another port', { host: '127.0.0.1:80', origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
    ['no Host', { host: undefined, origin: undefined, url: `/?token=${token}`, cookie: undefined }, `Host must be ${self}`],
  ])('refuses a request with %s', (_what, request, reason) => {
    expect(guardRequest(request, token, port)).toEqual({ allow: false, status: 403, reason });
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
