import { describe, expect, it } from '@jest/globals';
import { parseConnectionSecret } from '../../../src/api/connection.js';

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
});
