import { createHash } from 'node:crypto';

/**
 * A short digest of a stored password verifier (pg_authid.rolpassword as the operator set it): what a
 * credentials Secret records of the role's hash, so that a fresh operator recognises the role's
 * password by comparing digests instead of recomputing 4,096 PBKDF2 rounds per user (ADR 28).
 * 128 bits tell two verifiers apart as surely as all 256 here.
 */
export function verifierDigest(verifier: string): string {
  return createHash('sha256').update(verifier).digest().subarray(0, 16).toString('base64url');
}
