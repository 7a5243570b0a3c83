import { describe, expect, it } from '@jest/globals';
import { sampleCredentials as credentials } from '../model/builders.js';
import { verifierAnnotation } from '../../../src/api/names.js';
import {
  credentialsSecretManifest,
  projectCredentialsSecret,
  verifiedCredentialsSecret,
  type SecretManifest,
} from '../../../src/kubernetes/credentials-secret.js';
import { verifierDigest } from '../../../src/model/password-verifier.js';
import { credentialsSecretMatches, type CredentialsWrite } from '../../../src/model/credentials.js';
import { testSeal } from '../reconcile/recording-ports.js';

/** Where every write of this file goes: user u's credentials Secret in namespace shop. */
const place = {
  name: 'u-credentials',
  namespace: 'shop',
  databaseUserName: 'u',
  owner: { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: 'u', uid: 'uid-1' },
  credentials,
};

describe('projectCredentialsSecret and credentialsSecretMatches', () => {
  const write: CredentialsWrite = {
    ...place,
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

describe('the verifier record (ADR 28)', () => {
  const write: CredentialsWrite = {
    ...place,
    resetToken: undefined,
    passwordChange: { reason: 'created', at: '2026-12-03T10:00:00.000Z' },
    sealed: true,
    verifierDigest: verifierDigest('SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5'),
  };
  const read = (manifest: SecretManifest) =>
    verifiedCredentialsSecret(projectCredentialsSecret({ metadata: { ...manifest.metadata, uid: 's', resourceVersion: '1' }, data: manifest.data }), testSeal);
  const recordOf = (manifest: SecretManifest) => manifest.metadata.annotations?.[verifierAnnotation] ?? '';
  const withAnnotation = (manifest: SecretManifest, value: string): SecretManifest => ({
    ...manifest,
    metadata: { ...manifest.metadata, annotations: { ...manifest.metadata.annotations, [verifierAnnotation]: value } },
  });

  it('is written with a sealed write and read back as the digest', () => {
    const manifest = credentialsSecretManifest(write, testSeal);
    expect(recordOf(manifest).startsWith(`${write.verifierDigest}.`)).toBe(true);
    expect(read(manifest).verifierDigest).toBe(write.verifierDigest);
  });

  it('is not written without a digest or without the seal', () => {
    expect(recordOf(credentialsSecretManifest({ ...write, verifierDigest: undefined }, testSeal))).toBe('');
    expect(recordOf(credentialsSecretManifest({ ...write, sealed: false }, testSeal))).toBe('');
  });

  it('is not relied on once anything it vouches for is changed by someone else', () => {
    const manifest = credentialsSecretManifest(write, testSeal);
    const [digest, mac] = recordOf(manifest).split('.') as [string, string];
    const otherDigest = verifierDigest('SCRAM-SHA-256$4096:b3RoZXI=$a2V5:a2V5');
    expect(read(withAnnotation(manifest, `${otherDigest}.${mac}`)).verifierDigest).toBeUndefined();
    expect(read(withAnnotation(manifest, `${digest}.${mac.slice(1)}A`)).verifierDigest).toBeUndefined();
    expect(read(withAnnotation(manifest, `${digest}.${mac}.x`)).verifierDigest).toBeUndefined();
    expect(read(withAnnotation(manifest, digest)).verifierDigest).toBeUndefined();
    // Another password (with its own valid seal, as for another Secret) does not take this record along.
    const otherPassword = credentialsSecretManifest(
      { ...write, credentials: { ...credentials, password: 'another-password' }, verifierDigest: undefined },
      testSeal,
    );
    expect(read(withAnnotation(otherPassword, recordOf(manifest))).verifierDigest).toBeUndefined();
    // Nor another Secret's name.
    const renamed = credentialsSecretManifest({ ...write, name: 'v-credentials', verifierDigest: undefined }, testSeal);
    expect(read(withAnnotation(renamed, recordOf(manifest))).verifierDigest).toBeUndefined();
  });

  it('is ignored when the Secret itself is not sealed', () => {
    const manifest = credentialsSecretManifest(write, testSeal);
    const unsealed = { ...manifest, metadata: { ...manifest.metadata, annotations: { [verifierAnnotation]: recordOf(manifest) } } };
    expect(read(unsealed).verifierDigest).toBeUndefined();
  });
});
