import { describe, expect, it } from '@jest/globals';
import { sampleCredentials as credentials } from '../model/builders.js';
import { credentialsSecretManifest, projectCredentialsSecret, verifiedCredentialsSecret } from '../../../src/kubernetes/credentials-secret.js';
import { credentialsSecretMatches, type CredentialsWrite } from '../../../src/model/credentials.js';
import { testSeal } from '../reconcile/recording-ports.js';

describe('projectCredentialsSecret and credentialsSecretMatches', () => {
  const write: CredentialsWrite = {
    name: 'u-credentials',
    namespace: 'shop',
    databaseUserName: 'u',
    owner: { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: 'u', uid: 'uid-1' },
    credentials,
    resetToken: 't1',
    passwordChange: { reason: 'reset', at: '2026-12-03T10:00:00.000Z', by: 'alice' },
    sealed: true,
  };
  const manifest = credentialsSecretManifest(write, testSeal);
  const stored = (change: (secret: ReturnType<typeof asStored>) => void = () => undefined) => {
    const secret = asStored();
    change(secret);
    return verifiedCredentialsSecret(projectCredentialsSecret(secret), testSeal);
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
    expect(credentialsSecretMatches(garbled, write)).toBe(false);
  });

  it('ignores what others added; notices what differs from ours', () => {
    expect(credentialsSecretMatches(stored(), write)).toBe(true);
    expect(
      credentialsSecretMatches(
        stored((s) => (s.data.password = Buffer.from('other').toString('base64'))),
        write,
      ),
    ).toBe(false);
    expect(
      credentialsSecretMatches(
        stored((s) => (s.metadata.ownerReferences = [])),
        write,
      ),
    ).toBe(false);
    expect(
      credentialsSecretMatches(
        stored((s) => (s.metadata.annotations = {})),
        write,
      ),
    ).toBe(false);
    expect(
      credentialsSecretMatches(
        stored((s) => (s.metadata.labels = {})),
        write,
      ),
    ).toBe(false);
  });
});
