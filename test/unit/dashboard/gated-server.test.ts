import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sendRaw } from '../../harness/raw-http.js';
import { newDashboardToken, startGatedServer, type GatedServer } from '../../../src/dashboard/gated-server.js';

/** A real HTTP request over loopback, with the headers a browser or an attacker would choose. */
const send = (port: number, path: string, headers: Record<string, string>) => sendRaw(port, 'GET', path, headers);

describe('the gated dashboard server', () => {
  const token = newDashboardToken();
  let gated: GatedServer;
  let host: string;

  beforeAll(async () => {
    gated = await startGatedServer({
      port: 0,
      token,
      handler: (_request, response) => void response.writeHead(200, { 'Content-Type': 'text/plain' }).end('inside'),
    });
    host = `127.0.0.1:${gated.port}`;
  });
  afterAll(() => gated.close());

  it('listens on 127.0.0.1 only', () => {
    expect(gated.server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(gated.url).toBe(`http://${host}/?token=${token}`);
  });

  it('trades the token in the URL for a session cookie of this port, then serves with the cookie; the token works once', async () => {
    const first = await send(gated.port, `/?token=${token}`, { Host: host });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^dbuser_dashboard_${gated.port}=[A-Za-z0-9_-]{43}$`));
    expect(cookie).not.toContain(token);
    expect(String(first.headers['set-cookie'])).toContain('HttpOnly');
    const next = await send(gated.port, '/', { Host: host, Cookie: cookie, Origin: `http://${host}` });
    expect(next).toMatchObject({ status: 200, body: 'inside' });
    expect(String(next.headers['content-security-policy'])).toContain("script-src 'self'");
    const again = await send(gated.port, `/?token=${token}`, { Host: host });
    expect(again.status).toBe(403);
    expect(again.body).toContain('already used');
  });

  it('answers GET // (and other malformed targets) with 400 and goes on serving (security review, finding 3)', async () => {
    for (const target of ['//', '//a:99999', '//evil.example/', '/%zz/../']) {
      const reply = await send(gated.port, target, { Host: host });
      expect([400, 403]).toContain(reply.status);
    }
    expect((await send(gated.port, '//', { Host: host })).status).toBe(400);
    expect(gated.server.listening).toBe(true);
  });

  it.each([
    ['without the token', '/', {}],
    ['with the token again, after its first use', `/?token=TOKEN`, {}],
    ['with a foreign Origin', `/?token=TOKEN`, { Origin: 'https://evil.example' }],
    ['with a Host that is not the loopback address', `/?token=TOKEN`, { Host: 'rebound.example:PORT' }],
  ])('answers 403 %s, before the handler', async (_what, path, extra: Record<string, string>) => {
    const headers = Object.fromEntries(Object.entries({ Host: host, ...extra }).map(([name, value]) => [name, value.replace('PORT', String(gated.port))]));
    const reply = await send(gated.port, path.replace('TOKEN', token), headers);
    expect(reply.status).toBe(403);
    expect(reply.body).not.toContain('inside');
  });
});
