import { describe, expect, it } from '@jest/globals';
import { ConnectionSecretError, parseConnectionSecret } from '../../../src/api/connection.js';

describe('parseConnectionSecret', () => {
  it('reads a uri, percent-decoding the credentials', () => {
    expect(parseConnectionSecret({ uri: 'postgresql://ad%40min:p%3Ass@db.shop.svc:6432/shop?sslmode=verify-full' })).toEqual({
      host: 'db.shop.svc',
      port: 6432,
      username: 'ad@min',
      password: 'p:ss',
      database: 'shop',
      sslMode: 'verify-full',
      caCertificate: undefined,
    });
  });

  it('reads CloudNativePG-style keys, and Crunchy PGO "user"', () => {
    const cnpg = { host: 'cluster-rw', port: '5432', username: 'postgres', password: 'x', dbname: 'app', uri: 'postgresql://ignored' };
    expect(parseConnectionSecret(cnpg)).toMatchObject({ host: 'cluster-rw', username: 'postgres', database: 'app', sslMode: undefined });
    expect(parseConnectionSecret({ host: 'hippo-primary', user: 'hippo', password: 'x' })).toMatchObject({
      username: 'hippo',
      port: 5432,
      database: 'postgres',
    });
    expect(parseConnectionSecret({ host: 'h', username: 'u', password: 'p', 'ca.crt': 'PEM' }).caCertificate).toBe('PEM');
  });

  it('names what is wrong, never the values', () => {
    expect(() => parseConnectionSecret({})).toThrow('neither a "uri" key nor a "host" key');
    expect(() => parseConnectionSecret({ host: 'h', username: 'u' })).toThrow('"password"');
    expect(() => parseConnectionSecret({ host: 'h', username: 'u', password: 'p', port: 'seventy' })).toThrow('"port"');
    expect(() => parseConnectionSecret({ uri: 'mysql://u:secret@h/db' })).toThrow('must start with postgresql://');
    try {
      parseConnectionSecret({ uri: 'postgresql://u:s3cr3t@h:99999/db' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });

  // Security review, finding 5: values that can never work are refused as an invalid Secret, not retried forever.
  describe('finding 5 (impossible connection values)', () => {
    const keys = { host: 'db', username: 'u', password: 'p' };

    it.each(['1e3', '0x50', ' 80', '80 ', '+80', '80.0', '0', '65536', ''])('refuses port %j: only a decimal integer 1-65535', (port) => {
      expect(() => parseConnectionSecret({ ...keys, port: port === '' ? ' ' : port })).toThrow(ConnectionSecretError);
    });

    it.each(['db\nevil', 'db evil', 'db\tx', 'db\u0000', '\u007f'])('refuses host %j: no whitespace or control characters', (host) => {
      expect(() => parseConnectionSecret({ ...keys, host })).toThrow('"host"');
    });

    it('refuses a uri with a bad percent-encoding as ConnectionSecretError (it threw URIError before), naming no value', () => {
      const attempt = () => parseConnectionSecret({ uri: 'postgresql://u:s3cr%ZZt@h:5432/db' });
      expect(attempt).toThrow(ConnectionSecretError);
      expect(attempt).toThrow('invalid percent-encoding');
      expect(attempt).not.toThrow('s3cr');
    });

    it('refuses a uri holding a newline or a space instead of dropping it silently', () => {
      expect(() => parseConnectionSecret({ uri: 'postgresql://u:p@d\nb:5432/db' })).toThrow('whitespace or control characters');
      expect(() => parseConnectionSecret({ uri: 'postgresql://u:p w@db:5432/db' })).toThrow('whitespace or control characters');
    });

    it('still accepts decimal ports and a uri with a trailing newline (a file read into a Secret)', () => {
      expect(parseConnectionSecret({ ...keys, port: '6432' }).port).toBe(6432);
      expect(parseConnectionSecret({ uri: 'postgresql://u:p@db:5433/x\n' })).toMatchObject({ host: 'db', port: 5433, database: 'x' });
    });
  });

  describe('findings of the fuzzers (test/unit/fuzz/connection-secret.fuzz.test.ts)', () => {
    it.each([
      ['..', 'postgresql://u:p@db:5432/..'],
      ['.', 'postgresql://u:p@db:5432/.'],
      ['..', 'postgresql://u:p@db:5432/%2e%2E'],
      ['a/b', 'postgresql://u:p@db:5432/a%2Fb'],
    ])('uri-dot-segment-database: a uri naming database %j reads that database, not the default "postgres"', (database, uri) => {
      expect(parseConnectionSecret({ uri }).database).toBe(database);
    });

    it('uri-host-percent-encoding: a non-ASCII or percent-encoded host is read decoded, as libpq reads it', () => {
      expect(parseConnectionSecret({ uri: 'postgresql://u:p@bücher.de:5432/db' }).host).toBe('bücher.de');
      expect(parseConnectionSecret({ uri: 'postgresql://u:p@b%C3%BCcher.de/db' }).host).toBe('bücher.de');
      expect(() => parseConnectionSecret({ uri: 'postgresql://u:p@db%20x/db' })).toThrow('"host"');
    });
  });
});
