import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { md5Verifier, scramSha256Verifier, storedEncryption, storedHashMatches } from '../../../src/postgres/password-hash.js';

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ (b[i] ?? 0)));
}

describe('scramSha256Verifier', () => {
  // RFC 7677 section 3: user "user", password "pencil". The RFC gives the client proof (p=) and the
  // server signature (v=); a correct StoredKey/ServerKey pair reproduces both.
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const authMessage =
    'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,' +
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';

  it('matches the RFC 7677 test vector', async () => {
    const verifier = await scramSha256Verifier('pencil', salt, 4096);
    const match = /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$([^:]+):(.+)$/.exec(verifier);
    expect(match).not.toBeNull();
    const storedKey = Buffer.from(match?.[1] ?? '', 'base64');
    const serverKey = Buffer.from(match?.[2] ?? '', 'base64');

    const serverSignature = createHmac('sha256', serverKey).update(authMessage).digest('base64');
    expect(serverSignature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');

    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = xor(Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64'), clientSignature);
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
  });

  it('uses a fresh random salt each time', async () => {
    const [a, b] = await Promise.all([scramSha256Verifier('same password'), scramSha256Verifier('same password')]);
    expect(a).not.toBe(b);
    expect(storedEncryption(a)).toBe('SCRAM-SHA-256');
  });
});

describe('md5Verifier', () => {
  it('is "md5" + md5(password || username)', () => {
    // md5("postgrespostgres"), e.g. `printf postgrespostgres | md5sum`.
    expect(md5Verifier('postgres', 'postgres')).toBe('md53175bce1d3201d16594cebf9d7eb3f9d');
    expect(storedEncryption(md5Verifier('a', 'b'))).toBe('MD5');
  });
});

describe('storedHashMatches', () => {
  it('recognises the same password under the stored salt, and nothing else', async () => {
    const stored = await scramSha256Verifier('first password of enough length');
    await expect(storedHashMatches(stored, 'first password of enough length', 'u', 'SCRAM-SHA-256')).resolves.toBe(true);
    await expect(storedHashMatches(stored, 'second password of enough length', 'u', 'SCRAM-SHA-256')).resolves.toBe(false);
    await expect(storedHashMatches(stored, 'first password of enough length', 'u', 'MD5')).resolves.toBe(false);
    await expect(storedHashMatches(null, 'x', 'u', 'SCRAM-SHA-256')).resolves.toBe(false);
  });

  it('ties an MD5 hash to the username', async () => {
    const stored = md5Verifier('pw', 'alice_1');
    await expect(storedHashMatches(stored, 'pw', 'alice_1', 'MD5')).resolves.toBe(true);
    await expect(storedHashMatches(stored, 'pw', 'alice_2', 'MD5')).resolves.toBe(false);
  });
});

describe('non-ASCII passwords', () => {
  const nfc = 'pässwörd-ünïcödé-ÅÄÖ-€-long-enough';
  const salt = Buffer.from('0123456789abcdef');

  it('hash the SASLprep form, so NFC and NFD give one verifier', async () => {
    expect(await scramSha256Verifier(nfc.normalize('NFD'), salt)).toBe(await scramSha256Verifier(nfc, salt));
    expect(await scramSha256Verifier(nfc, salt)).not.toBe(await scramSha256Verifier(nfc.replace('ä', 'a'), salt));
  });

  it('are recognised in either form', async () => {
    const stored = await scramSha256Verifier(nfc);
    expect(await storedHashMatches(stored, nfc.normalize('NFD'), 'someone', 'SCRAM-SHA-256')).toBe(true);
  });
});
