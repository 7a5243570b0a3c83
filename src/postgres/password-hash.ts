import { createHash, createHmac, createSecretKey, pbkdf2, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { scramPrepared } from '../api/password-preparation.js';
import type { PasswordEncryption } from '../model/password-encryption.js';

const pbkdf2Async = promisify(pbkdf2);

/** PostgreSQL's default and the RFC 7677 minimum. */
export const scramIterations = 4096;

function hmac(key: KeyObject, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

async function scramKeys(password: string, salt: Buffer, iterations: number): Promise<{ storedKey: Buffer; serverKey: Buffer }> {
  // As PostgreSQL does: SASLprep for non-ASCII passwords, the raw text when SASLprep refuses it.
  const saltedPassword = await pbkdf2Async(Buffer.from(scramPrepared(password) ?? password, 'utf8'), salt, iterations, 32, 'sha256');
  // One KeyObject for both HMACs: a Buffer key costs Node about 10 µs per HMAC to prepare, a KeyObject 1.
  const key = createSecretKey(saltedPassword);
  const clientKey = hmac(key, 'Client Key');
  return { storedKey: createHash('sha256').update(clientKey).digest(), serverKey: hmac(key, 'Server Key') };
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores in pg_authid.rolpassword (RFC 5802/7677):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64. Sending this instead of
 * the password means the plaintext never reaches the server, its logs or its statistics.
 */
export async function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = scramIterations): Promise<string> {
  const { storedKey, serverKey } = await scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** PostgreSQL's MD5 format: "md5" + md5(password || username). The username is the salt. */
export function md5Verifier(password: string, username: string): string {
  return `md5${createHash('md5')
    .update(password + username, 'utf8')
    .digest('hex')}`;
}

const scramPattern = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** Which kind of hash a stored rolpassword is, or undefined for none/unreadable. */
export function storedEncryption(stored: string | null): PasswordEncryption | undefined {
  if (stored === null) return undefined;
  if (scramPattern.test(stored)) return 'SCRAM-SHA-256';
  if (/^md5[0-9a-f]{32}$/.test(stored)) return 'MD5';
  return undefined;
}

/**
 * Whether `stored` (from pg_authid) is a hash of `password` in the requested encryption. Recomputes
 * the verifier with the stored salt, so an unchanged password is recognised without writing anything.
 */
export async function storedHashMatches(stored: string | null, password: string, username: string, encryption: PasswordEncryption): Promise<boolean> {
  if (stored === null) return false;
  if (encryption === 'MD5') {
    const expected = Buffer.from(md5Verifier(password, username));
    const actual = Buffer.from(stored);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  const match = scramPattern.exec(stored);
  if (!match) return false;
  const [, iterations, salt, storedKey, serverKey] = match;
  if (iterations === undefined || salt === undefined || storedKey === undefined || serverKey === undefined) return false;
  const keys = await scramKeys(password, Buffer.from(salt, 'base64'), Number(iterations));
  const expected = Buffer.concat([keys.storedKey, keys.serverKey]);
  const actual = Buffer.concat([Buffer.from(storedKey, 'base64'), Buffer.from(serverKey, 'base64')]);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
