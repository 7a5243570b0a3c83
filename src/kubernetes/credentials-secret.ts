import { sslModes, type SslMode } from '../api/connection.js';
import { passwordChangeSchema, type PasswordChangeRecord } from '../api/database-user.js';
import {
  databaseUserLabel,
  kind,
  managedByLabel,
  managedByValue,
  passwordChangeAnnotation,
  passwordResetHandledAnnotation,
  sealAnnotation,
  verifierAnnotation,
} from '../api/names.js';
import { encodeSecretValue, secretValue, type KubeSecret } from '../kube/objects.js';
import type { CredentialsSeal, SealedFields } from '../model/credentials-seal.js';
import {
  credentialKeys,
  credentialsData,
  credentialsDigest,
  passwordChangeText,
  type Credentials,
  type CredentialsSecret,
  type CredentialsWrite,
  type SecretOwner,
} from '../model/credentials.js';
import type { StringTable } from './string-table.js';

/** A Secret as server-side apply receives it. */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: (SecretOwner & { controller: boolean })[];
  };
  type: 'Opaque';
  data: Record<string, string>;
}

/** What the seal of a write vouches for. */
function sealedFieldsOfWrite(write: CredentialsWrite): SealedFields {
  return {
    namespace: write.namespace,
    secretName: write.name,
    databaseUser: write.databaseUserName,
    ownerUids: write.owner === undefined ? [] : [write.owner.uid],
    password: write.credentials.password,
    resetToken: write.resetToken,
    passwordChange: passwordChangeText(write.passwordChange),
  };
}

/**
 * The credentials Secret as the operator applies it, sealed (ADR 16). `owner` undefined orphans it
 * (deletionPolicy Retain): server-side apply then drops the owner reference this field manager set.
 */
export function credentialsSecretManifest(write: CredentialsWrite, seal: CredentialsSeal): SecretManifest {
  const { name, namespace, databaseUserName, owner, credentials, resetToken, passwordChange } = write;
  const data = Object.fromEntries(Object.entries(credentialsData(credentials)).map(([key, value]) => [key, encodeSecretValue(value)]));
  const changeText = passwordChangeText(passwordChange);
  const annotations = {
    ...(resetToken === undefined ? {} : { [passwordResetHandledAnnotation]: resetToken }),
    ...(changeText === undefined ? {} : { [passwordChangeAnnotation]: changeText }),
    ...(write.sealed ? { [sealAnnotation]: seal.sign(sealedFieldsOfWrite(write)) } : {}),
    ...(write.sealed && write.verifierDigest !== undefined ? { [verifierAnnotation]: verifierRecord(write, write.verifierDigest, seal) } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { [managedByLabel]: managedByValue, [databaseUserLabel]: databaseUserName },
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
      ...(owner === undefined ? {} : { ownerReferences: [{ ...owner, controller: true }] }),
    },
    type: 'Opaque',
    data,
  };
}

/** "<digest>.<seal>": the digest of the verifier the role gets for the written password, sealed with it (ADR 28). */
function verifierRecord(write: CredentialsWrite, digest: string, seal: CredentialsSeal): string {
  return `${digest}.${seal.signVerifier({ namespace: write.namespace, secretName: write.name, password: write.credentials.password, digest })}`;
}

/**
 * A credentials Secret as the watch cache keeps it: the model's record, with its seal and its verifier
 * record still to verify.
 */
export type CachedCredentialsSecret = Omit<CredentialsSecret, 'sealed' | 'verifierDigest'> & { seal: string | undefined; verifierRecord: string | undefined };

function sslModeOf(uri: string | undefined): SslMode | undefined {
  if (uri === undefined) return undefined;
  try {
    const mode = new URL(uri).searchParams.get('sslmode');
    return sslModes.find((candidate) => candidate === mode);
  } catch {
    return undefined;
  }
}

function credentialsOf(values: Partial<Record<string, string>>): Credentials | undefined {
  const { password } = values;
  if (password === undefined || password === '') return undefined;
  return {
    username: values.username ?? '',
    password,
    host: values.host ?? '',
    port: Number(values.port ?? 0),
    database: values.dbname ?? '',
    sslMode: sslModeOf(values.uri),
  };
}

/** `strings`: one copy of the values many Secrets share (namespace, host, database, who changed the password). */
export function projectCredentialsSecret(secret: KubeSecret, strings?: StringTable): CachedCredentialsSecret {
  const metadata = secret.metadata ?? {};
  const values = Object.fromEntries(credentialKeys.flatMap((key) => (secret.data?.[key] === undefined ? [] : [[key, secretValue(secret, key) ?? '']])));
  const credentials = credentialsOf(values);
  const passwordChange = parsePasswordChange(metadata.annotations?.[passwordChangeAnnotation]);
  strings?.internFields(credentials, ['host', 'database']);
  strings?.internFields(passwordChange, ['by', 'reason']);
  const namespace = metadata.namespace ?? '';
  return {
    metadata: {
      name: metadata.name ?? '',
      namespace: strings?.intern(namespace) ?? namespace,
      uid: metadata.uid ?? '',
      resourceVersion: metadata.resourceVersion ?? '',
    },
    databaseUser: metadata.labels?.[managedByLabel] === managedByValue ? metadata.labels[databaseUserLabel] : undefined,
    resetToken: metadata.annotations?.[passwordResetHandledAnnotation],
    passwordChange,
    // Only references to DatabaseUsers are ours to compare; others may add their own.
    ownerUids: (metadata.ownerReferences ?? []).filter((ref) => ref.kind === kind).map((ref) => ref.uid),
    seal: metadata.annotations?.[sealAnnotation],
    verifierRecord: metadata.annotations?.[verifierAnnotation],
    dataDigest: credentialsDigest(values),
    credentials,
  };
}

/** The model's record of a cached credentials Secret, its seal and verifier record verified with the operator's key. */
export function verifiedCredentialsSecret(cached: CachedCredentialsSecret, seal: CredentialsSeal): CredentialsSecret {
  const { seal: annotation, verifierRecord: record, ...secret } = cached;
  const fields: SealedFields | undefined =
    secret.credentials === undefined || secret.databaseUser === undefined
      ? undefined
      : {
          namespace: secret.metadata.namespace,
          secretName: secret.metadata.name,
          databaseUser: secret.databaseUser,
          ownerUids: secret.ownerUids,
          password: secret.credentials.password,
          resetToken: secret.resetToken,
          passwordChange: passwordChangeText(secret.passwordChange),
        };
  const sealed = fields !== undefined && seal.verifies(annotation, fields);
  return { ...secret, sealed, verifierDigest: sealed ? verifiedDigest(cached, record, seal) : undefined };
}

/** The digest a verifier record holds, if its seal verifies for this Secret and its password. */
function verifiedDigest(cached: CachedCredentialsSecret, record: string | undefined, seal: CredentialsSeal): string | undefined {
  const password = cached.credentials?.password;
  const [digest, mac, extra] = record?.split('.') ?? [];
  if (password === undefined || digest === undefined || mac === undefined || extra !== undefined) return undefined;
  const { namespace, name: secretName } = cached.metadata;
  return seal.verifiesVerifier(mac, { namespace, secretName, password, digest }) ? digest : undefined;
}

function parsePasswordChange(text: string | undefined): PasswordChangeRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = passwordChangeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
