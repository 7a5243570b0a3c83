/** How PostgreSQL stores a password, in pg_authid's spelling. */
export type PasswordEncryption = 'SCRAM-SHA-256' | 'MD5';

/** The spec's setting (scram-sha-256 | md5) as PostgreSQL names it. */
export function encryptionOf(setting: 'scram-sha-256' | 'md5'): PasswordEncryption {
  return setting === 'md5' ? 'MD5' : 'SCRAM-SHA-256';
}
