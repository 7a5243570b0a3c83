import { describe, expect, it } from '@jest/globals';
import { credentialsData, credentialsSecretManifest, projectCredentialsSecret, secretMatches } from '../../../src/kubernetes/credentials-secret.js';

const credentials = {
  username: 'My_User',
  password: 'p@ss:w/rd\\x y?#%',
  host: 'db.example.internal',
  port: 5432,
  database: 'shop db',
  sslMode: 'require' as const,
};

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

describe('projectCredentialsSecret and secretMatches', () => {
  const manifest = credentialsSecretManifest({
    name: 'u-credentials',
    namespace: 'shop',
    databaseUserName: 'u',
    owner: { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: 'u', uid: 'uid-1' },
    credentials,
    resetToken: 't1',
    passwordChange: { reason: 'reset', at: '2026-12-03T10:00:00.000Z', by: 'alice' },
    seal: undefined,
  });
  const stored = (change: (secret: ReturnType<typeof asStored>) => void = () => undefined) => {
    const secret = asStored();
    change(secret);
    return projectCredentialsSecret(secret);
  };
  function asStored() {
    return {
      metadata: {
        name: 'u-credentials',
        namespace: 'shop',
        uid: 'secret-uid',
        resourceVersion: '7',
        labels: { ...manifest.metadata.labels, extra: 'kept' } as Record<string, string>,
        annotations: { ...manifest.metadata.annotations, 'someone.else/note': 'x' } as Record<string, string>,
        ownerReferences: [
          { apiVersion: 'dbuser.dev/v1alpha1', uid: 'uid-1', kind: 'DatabaseUser', name: 'u' },
          { apiVersion: 'v1', uid: 'other', kind: 'Something', name: 'x' },
        ],
      },
      data: { ...manifest.data, extra: 'e30=' } as Record<string, string>,
    };
  }

  it('keeps the credentials, so the Secret can be written again without the connection', () => {
    expect(stored().credentials).toEqual(credentials);
    expect(stored()).toMatchObject({ databaseUser: 'u', resetToken: 't1', ownerUids: ['uid-1'], metadata: { uid: 'secret-uid', resourceVersion: '7' } });
  });

  it('keeps the record of the password change; an unreadable one is no record', () => {
    expect(stored().passwordChange).toEqual({ reason: 'reset', at: '2026-12-03T10:00:00.000Z', by: 'alice' });
    const garbled = stored((s) => (s.metadata.annotations = { ...s.metadata.annotations, 'dbuser.dev/password-change': '{"reason":"because"}' }));
    expect(garbled.passwordChange).toBeUndefined();
    expect(secretMatches(garbled, manifest)).toBe(false);
  });

  it('ignores what others added; notices what differs from ours', () => {
    expect(secretMatches(stored(), manifest)).toBe(true);
    expect(
      secretMatches(
        stored((s) => (s.data.password = Buffer.from('other').toString('base64'))),
        manifest,
      ),
    ).toBe(false);
    expect(
      secretMatches(
        stored((s) => (s.metadata.ownerReferences = [])),
        manifest,
      ),
    ).toBe(false);
    expect(
      secretMatches(
        stored((s) => (s.metadata.annotations = {})),
        manifest,
      ),
    ).toBe(false);
    expect(
      secretMatches(
        stored((s) => (s.metadata.labels = {})),
        manifest,
      ),
    ).toBe(false);
  });
});
