import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a seal vouches for: the operator wrote this password, with these records, into this Secret for this DatabaseUser. */
export interface SealedFields {
  namespace: string;
  secretName: string;
  /** The DatabaseUser the Secret is for (its label), and the uids of the DatabaseUsers that own it (none once retained). */
  databaseUser: string;
  ownerUids: readonly string[];
  password: string;
  resetToken: string | undefined;
  /** The password-change record as written (its canonical text). */
  passwordChange: string | undefined;
}

/**
 * Seals the credentials the operator writes (HMAC-SHA256 under a 256-bit key kept in a Secret of the
 * operator's namespace, which tenants cannot read), so that what someone else wrote into a
 * credentials Secret is told apart from the operator's own pending write (ADR 16).
 */
export class CredentialsSeal {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('the seal key must be at least 256 bits');
  }

  sign(fields: SealedFields): string {
    const { namespace, secretName, databaseUser, ownerUids, password, resetToken, passwordChange } = fields;
    const text = JSON.stringify([namespace, secretName, databaseUser, [...ownerUids].sort(), password, resetToken ?? null, passwordChange ?? null]);
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  verifies(seal: string | undefined, fields: SealedFields): boolean {
    if (seal === undefined) return false;
    const expected = Buffer.from(this.sign(fields));
    const given = Buffer.from(seal);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
