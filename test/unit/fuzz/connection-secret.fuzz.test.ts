// Property-based fuzzing of the connection Secret parser (a boundary: anyone who can write a Secret
// in a namespace writes its input). For every input: no exception but ConnectionSecretError, no value
// repeated in the error, and the documented decision (README "Connect to PostgreSQL").
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConnectionSecretError, parseConnectionSecret, sslModes } from '../../../src/api/connection.js';
import { echoes, fuzzParameters } from './fuzz-settings.js';

const keys = ['host', 'port', 'username', 'user', 'password', 'dbname', 'sslmode', 'uri', 'ca.crt', 'sslrootcert', 'other'];
/** Strings of every kind: any code point, and the edge values a parser meets. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '0', '1e3', '0x50', ' 80', '65536', '%', '%zz', '[::1]', 'a,b', '..', '.', 'postgres', 'require'),
);
const anyData = fc.dictionary(fc.constantFrom(...keys), anyText, { maxKeys: 8 });
const uriLike = fc
  .tuple(fc.constantFrom('postgresql://', 'postgres://', 'http://', ''), anyText, anyText, anyText, anyText, anyText)
  .map(([scheme, user, password, host, port, db]) => `${scheme}${user}:${password}@${host}:${port}/${db}`);

/** What the parser returned or threw, with anything else (a bug) rethrown by the property. */
function outcome(data: Record<string, string>): { settings: ReturnType<typeof parseConnectionSecret> } | { refused: string } {
  try {
    return { settings: parseConnectionSecret(data) };
  } catch (error) {
    if (error instanceof ConnectionSecretError) return { refused: error.message };
    throw error;
  }
}

const hostName = fc.oneof(fc.domain(), fc.ipV4(), fc.constantFrom('localhost', 'pg-rw.shop.svc', 'pg-rw.shop.svc.cluster.local', 'db_1'));
const validPort = fc.integer({ min: 1, max: 65535 });
const nonEmpty = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });

/** A value no message could contain unless it repeats (part of) the value: it carries a mark. */
const mark = '\u2042';
const marked = anyText.map((text) => `${mark}${text}${mark}`);

describe('the connection Secret parser, fuzzed', () => {
  it('throws nothing but ConnectionSecretError for any keys and values', () => {
    fc.assert(
      fc.property(anyData, (data) => {
        outcome(data);
      }),
      fuzzParameters(),
    );
  });

  it('never repeats a value in its error, for any keys and values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), marked, { maxKeys: 8 }), (data) => {
        const result = outcome(data);
        if ('refused' in result) expect(result.refused).not.toContain(mark);
      }),
      fuzzParameters(),
    );
  });

  it('the same for a uri of any parts', () => {
    fc.assert(
      fc.property(uriLike, (uri) => {
        const result = outcome({ uri });
        if ('refused' in result) for (const part of uri.split(/[:@/]/)) expect(echoes(result.refused, part) && part.includes(mark)).toBe(false);
      }),
      fuzzParameters(),
    );
    fc.assert(
      fc.property(marked, marked, marked, (user, password, db) => {
        const result = outcome({ uri: `postgresql://${user}:${password}@db:5432/${db}` });
        if ('refused' in result) expect(result.refused).not.toContain(mark);
        else expect(result.settings.password).toContain(mark);
      }),
      fuzzParameters(),
    );
  });

  it('decides the keys form as documented: a host without whitespace, a decimal port 1-65535, a username and a password', () => {
    fc.assert(
      fc.property(
        fc.record(
          { host: anyText, port: anyText, username: anyText, user: anyText, password: anyText, dbname: anyText, sslmode: anyText },
          { requiredKeys: ['host'] },
        ),
        (data) => {
          const username = data.username ?? data.user;
          const port = data.port === undefined || data.port === '' ? 5432 : /^[0-9]{1,5}$/.test(data.port) ? Number(data.port) : Number.NaN;
          const acceptable =
            /^[^\s\p{Cc}]+$/u.test(data.host) &&
            port >= 1 &&
            port <= 65535 &&
            username !== undefined &&
            username !== '' &&
            data.password !== undefined &&
            data.password !== '' &&
            (data.sslmode === undefined || data.sslmode === '' || (sslModes as readonly string[]).includes(data.sslmode));
          const result = outcome(data);
          expect('settings' in result).toBe(acceptable);
          if ('settings' in result) {
            expect(result.settings).toMatchObject({
              host: data.host,
              port,
              username,
              password: data.password,
              database: data.dbname === undefined || data.dbname === '' ? 'postgres' : data.dbname,
            });
          }
        },
      ),
      fuzzParameters(),
    );
  });

  it('reads back every part of a well-formed uri, percent-encoded as a client writes it', () => {
    fc.assert(
      fc.property(
        hostName,
        fc.option(validPort, { nil: undefined }),
        nonEmpty,
        nonEmpty,
        fc.oneof(nonEmpty, fc.constantFrom('.', '..', 'shop', 'my app')),
        fc.option(fc.constantFrom(...sslModes), { nil: undefined }),
        (host, port, username, password, dbname, sslmode) => {
          const uri = `postgresql://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}${port === undefined ? '' : `:${port}`}/${encodeURIComponent(dbname)}${sslmode ? `?sslmode=${sslmode}` : ''}`;
          expect(outcome({ uri })).toEqual({
            settings: { host, port: port ?? 5432, username, password, database: dbname, sslMode: sslmode, caCertificate: undefined },
          });
        },
      ),
      fuzzParameters(),
    );
  });
});
