// Issue 10, acceptance 4: chosen passwords in any Unicode form log in with the real clients (psql
// with the Secret's uri and its pgpass, and the pg client), because the operator hashes the SASLprep
// form PostgreSQL and the clients compute; a quote or a newline is refused and changes nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

const run = promisify(execFile);
let ctx: TestContext;
let scratch: string;

beforeAll(async () => {
  ctx = await createTestContext('unicode');
  scratch = mkdtempSync(path.join(tmpdir(), 'dbuser-unicode-'));
});

afterAll(async () => {
  await destroyTestContext(ctx);
  rmSync(scratch, { recursive: true, force: true });
});

const composed = 'pässwörd-ünïcödé-ÅÄÖ-€-long-enough';
const decomposed = composed.normalize('NFD');

/** psql's answer to `select current_user`, or its error text; -w: never prompt for a password. */
async function psql(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run('psql', ['-w', '-X', '-A', '-t', '-c', 'select current_user', ...args], {
      env: { PATH: process.env.PATH ?? '', PGCONNECT_TIMEOUT: '5', ...env },
    });
    return stdout.trim();
  } catch (error) {
    return `failed: ${(error as { stderr?: string }).stderr ?? String(error)}`;
  }
}

async function pgClientLogin(settings: Record<string, string>, password: string): Promise<string> {
  const client = new pg.Client({ host: settings.host, port: Number(settings.port), database: settings.dbname, user: settings.username, password });
  try {
    await client.connect();
    const result = await client.query<{ user: string }>('select current_user as user');
    return result.rows[0]?.user ?? '';
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A URI with the password typed in another Unicode form than the Secret holds. */
function uriWithPassword(uri: string, password: string): string {
  const url = new URL(uri);
  url.password = encodeURIComponent(password);
  return url.toString();
}

async function createChosen(name: string, password: string): Promise<{ username: string; credentials: Record<string, string> }> {
  const username = uniqueUsername(name.replaceAll('-', '_'));
  await ctx.kube.putPasswordSecret(`${name}-pw`, { password });
  await ctx.kube.createUser(name, { username, passwordSecretRef: { name: `${name}-pw` }, connection: { secretName: ctx.connectionSecret } });
  await ctx.kube.waitReady(name);
  const credentials = await ctx.kube.secretData(`${name}-credentials`);
  if (!credentials) throw new Error(`no credentials Secret for ${name}`);
  return { username, credentials };
}

describe.each([
  ['composed (NFC)', 'nfc', composed],
  ['decomposed (NFD)', 'nfd', decomposed],
])('a chosen password %s', (_form, name, password) => {
  it('is stored as chosen and logs in through psql (uri and pgpass) and the pg client, typed in either form', async () => {
    const { username, credentials } = await createChosen(name, password);
    expect(credentials.password).toBe(password);
    const uri = credentials.uri ?? '';

    expect(await psql([uri])).toBe(username);
    const pgpass = path.join(scratch, `${name}.pgpass`);
    writeFileSync(pgpass, credentials.pgpass ?? '', { mode: 0o600 });
    const fields = ['-h', credentials.host ?? '', '-p', credentials.port ?? '', '-U', username, '-d', credentials.dbname ?? ''];
    expect(await psql(fields, { PGPASSFILE: pgpass })).toBe(username);

    for (const typed of [composed, decomposed]) {
      expect(await psql([uriWithPassword(uri, typed)])).toBe(username);
      expect(await pgClientLogin(credentials, typed)).toBe(username);
    }
    expect(await psql([uriWithPassword(uri, composed.replace('ä', 'a'))])).toMatch(/password authentication failed/);
  });
});

describe('refused chosen passwords', () => {
  it.each([
    ['a double quote', 'quote', 'pässwörd-ünïcödé-"-long-enough', 'contains a quote'],
    ['a newline', 'newline', 'pässwörd-ünïcödé\n-long-enough-€', 'control character'],
  ])('with %s: PasswordPolicyViolation, no role and no credentials Secret', async (_what, name, password, message) => {
    const username = uniqueUsername(`bad_${name}`);
    await ctx.kube.putPasswordSecret(`${name}-pw`, { password });
    await ctx.kube.createUser(name, { username, passwordSecretRef: { name: `${name}-pw` }, connection: { secretName: ctx.connectionSecret } });
    const user = await ctx.kube.waitReason(name, 'PasswordPolicyViolation');
    expect(user.status?.conditions?.find((condition) => condition.type === 'Ready')?.message).toContain(message);
    expect(await ctx.pg.role(username)).toBeUndefined();
    expect(await ctx.kube.secretData(`${name}-credentials`)).toBeUndefined();
  });
});
