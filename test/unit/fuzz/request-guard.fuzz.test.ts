// Property-based fuzzing of the dashboard's gate (README, "The dashboard", Security): for any request
// line, Host, Origin and Cookie, a decision and never an exception; no reason repeats what the
// request carried; the documented decision; and every redirect stays on the listener.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { guardRequest, sessionCookieName, tokenParameter, type GateState, type GuardedRequest } from '../../../src/dashboard/request-guard.js';
import { fuzzParameters } from './fuzz-settings.js';

const port = 41577;
const self = `127.0.0.1:${port}`;
const mark = '\u2042';
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{8,43}$/);

/** A request built from the gate's own secrets, near-misses of them, and anything at all. */
function requests(gate: GateState): fc.Arbitrary<GuardedRequest> {
  const known = [gate.token, gate.session].filter((value): value is string => value !== undefined);
  const value = fc.oneof(fc.constantFrom(...known, 'wrong', ''), fc.string({ unit: 'binary', maxLength: 20 }));
  const path = fc.oneof(
    fc.webPath(),
    fc.constantFrom('/', '//', '//evil.example/', '/\\evil.example', '*', '', '/%2F%2Fevil', '/a?b#c', 'http://127.0.0.1/'),
    fc.string({ unit: 'binary', maxLength: 16 }),
  );
  const url = fc.tuple(path, fc.option(value, { nil: undefined }), fc.option(fc.string({ maxLength: 8 }), { nil: undefined })).map(([base, token, extra]) => {
    const query = [token === undefined ? undefined : `${tokenParameter}=${encodeURIComponent(token)}`, extra === undefined ? undefined : `x=${extra}`].filter(
      Boolean,
    );
    return query.length === 0 ? base : `${base}${base.includes('?') ? '&' : '?'}${query.join('&')}`;
  });
  const cookie = fc.option(
    fc.oneof(
      value.map((session) => `${sessionCookieName(port)}=${session}`),
      value.map((session) => `other=1; ${sessionCookieName(port)}=${session}; x=y`),
      value.map((session) => `${sessionCookieName(port + 1)}=${session}`),
      fc.string({ unit: 'binary', maxLength: 30 }),
    ),
    { nil: undefined },
  );
  return fc.record({
    host: fc
      .oneof(
        fc.constant(self),
        fc.constantFrom(`localhost:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `evil.example:${port}`),
        fc.string({ maxLength: 12 }),
      )
      .map((host) => host as string | undefined),
    origin: fc.option(
      fc.oneof(fc.constant(`http://${self}`), fc.constantFrom('null', `https://${self}`, 'http://evil.example'), fc.string({ maxLength: 12 })),
      { nil: undefined },
    ),
    url,
    cookie,
  });
}

const gates: fc.Arbitrary<GateState> = fc.record({ token: fc.option(secret, { nil: undefined }), session: fc.option(secret, { nil: undefined }) });

/** The decision README and request-guard.ts document, written out independently. */
function documented(request: GuardedRequest, gate: GateState): { allow: boolean; status?: number; kind?: string } {
  if (request.host !== self) return { allow: false, status: 403 };
  if (request.origin !== undefined && request.origin !== `http://${self}`) return { allow: false, status: 403 };
  let target: URL;
  try {
    if (!request.url.startsWith('/') || request.url.startsWith('//')) return { allow: false, status: 400 };
    target = new URL(request.url, `http://${self}`);
    if (target.host !== self) return { allow: false, status: 400 };
  } catch {
    return { allow: false, status: 400 };
  }
  const token = target.searchParams.get(tokenParameter);
  const cookies = (request.cookie ?? '').split(';').map((part) => [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()] as const);
  const session = cookies.find(([name]) => name === sessionCookieName(port))?.[1];
  if (session !== undefined && gate.session !== undefined && session === gate.session) return { allow: true, kind: token === null ? 'serve' : 'drop-token' };
  if (token !== null && gate.token !== undefined && token === gate.token) return { allow: true, kind: 'start-session' };
  return { allow: false, status: 403 };
}

describe("the dashboard's gate, fuzzed", () => {
  it('decides every request as documented, never throws, and redirects only to a path of the listener', () => {
    fc.assert(
      fc.property(
        gates.chain((gate) => fc.tuple(fc.constant(gate), requests(gate))),
        ([gate, request]) => {
          const decision = guardRequest(request, gate, port);
          const expected = documented(request, gate);
          expect(decision.allow).toBe(expected.allow);
          if (!decision.allow) expect(decision.status).toBe(expected.status);
          else {
            expect(decision.kind).toBe(expected.kind);
            if (decision.kind !== 'serve') {
              expect(decision.location.startsWith('/') && !decision.location.startsWith('//')).toBe(true);
              expect(new URL(decision.location, `http://${self}`).host).toBe(self);
              expect(new URL(decision.location, `http://${self}`).searchParams.has(tokenParameter)).toBe(false);
            }
          }
        },
      ),
      fuzzParameters(),
    );
  });

  it('repeats nothing the request carried in its reason', () => {
    const marked = fc.string({ maxLength: 12 }).map((text) => `${mark}${text}`);
    fc.assert(
      fc.property(
        fc.record({
          host: fc.option(marked, { nil: undefined }),
          origin: fc.option(marked, { nil: undefined }),
          url: marked.map((text) => `/${text}?token=${text}`),
          cookie: fc.option(marked, { nil: undefined }),
        }),
        gates,
        (request, gate) => {
          for (const host of [request.host, self]) {
            const decision = guardRequest({ ...request, host }, gate, port);
            if (!decision.allow) expect(decision.reason).not.toContain(mark);
          }
        },
      ),
      fuzzParameters(),
    );
  });
});
