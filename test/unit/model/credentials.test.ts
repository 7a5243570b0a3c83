import { describe, expect, it } from '@jest/globals';
import { sampleCredentials as credentials } from './builders.js';
import { credentialsData } from '../../../src/model/credentials.js';

describe('credentialsData', () => {
  it('percent-encodes the URIs and escapes .pgpass', () => {
    const data = credentialsData(credentials);
    expect(data.uri).toBe('postgresql://My_User:p%40ss%3Aw%2Frd%5Cx%20y%3F%23%25@db.example.internal:5432/shop%20db?sslmode=require');
    expect(new URL(data.uri).password).toBe('p%40ss%3Aw%2Frd%5Cx%20y%3F%23%25');
    expect(decodeURIComponent(new URL(data.uri).password)).toBe(credentials.password);
    expect(data['jdbc-uri']).toBe(
      'jdbc:postgresql://db.example.internal:5432/shop%20db?user=My_User&password=p%40ss%3Aw%2Frd%5Cx%20y%3F%23%25&sslmode=require',
    );
    expect(data.pgpass).toBe('db.example.internal:5432:shop db:My_User:p@ss\\:w/rd\\\\x y?#%\n');
    expect(data).toMatchObject({
      username: 'My_User',
      password: credentials.password,
      port: '5432',
      dbname: 'shop db',
      type: 'postgresql',
      provider: 'dbuser-operator',
    });
  });

  it('brackets an IPv6 host and omits sslmode when the connection did not state one', () => {
    const data = credentialsData({ ...credentials, host: 'fd00::1', sslMode: undefined });
    expect(data.uri).toMatch(/^postgresql:\/\/My_User:[^@]+@\[fd00::1\]:5432\/shop%20db$/);
  });
});
