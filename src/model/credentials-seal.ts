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

/** What a verifier record vouches for: the operator set the role's password to a verifier of this password. */
export interface SealedVerifier {
  namespace: string;
  secretName: string;
  password: string;
  /** verifierDigest of the verifier it set. */
  digest: string;
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
    return seal !== undefined && equal(seal, this.sign(fields));
  }

  /**
   * A verifier record's seal (ADR 28): separate from the credentials' own, so that a build without
   * records still verifies the credentials of a Secret that has one. 128 bits, to keep it short.
   */
  signVerifier(fields: SealedVerifier): string {
    const { namespace, secretName, password, digest } = fields;
    const text = JSON.stringify(['verifier', namespace, secretName, password, digest]);
    return createHmac('sha256', this.key).update(text).digest().subarray(0, 16).toString('base64url');
  }

  verifiesVerifier(seal: string, fields: SealedVerifier): boolean {
    return equal(seal, this.signVerifier(fields));
  }
}

function equal(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
