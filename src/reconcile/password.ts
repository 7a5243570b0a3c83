import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
export const generatedPasswordLength = 64;
/** The largest multiple of the alphabet size that fits in a byte: bytes above it are rejected. */
const unbiasedLimit = Math.floor(256 / alphabet.length) * alphabet.length;

export type RandomBytes = (size: number) => Buffer;

/**
 * 64 characters from [A-Za-z0-9_] (the provider's format). Bytes are drawn from the CSPRNG and those
 * that would make `byte % 63` favour some characters are rejected, so every character is uniform.
 */
export function generatePassword(random: RandomBytes = randomBytes): string {
  let password = '';
  while (password.length < generatedPasswordLength) {
    for (const byte of random(generatedPasswordLength)) {
      if (byte >= unbiasedLimit) continue;
      password += alphabet.charAt(byte % alphabet.length);
      if (password.length === generatedPasswordLength) break;
    }
  }
  return password;
}

export const chosenPasswordMinLength = 24;
export const chosenPasswordMaxLength = 64;

/**
 * Why a user-chosen password is refused, or undefined when it is acceptable: 24-64 characters,
 * no quotes (the provider's rule), printable ASCII only. ASCII because PostgreSQL runs non-ASCII
 * passwords through SASLprep and client libraries disagree on it, so such a password may work
 * from one driver and fail from another. Messages describe the rule, never the password.
 */
export function passwordPolicyViolation(password: string): string | undefined {
  if (password.length < chosenPasswordMinLength) return `the password is shorter than ${chosenPasswordMinLength} characters`;
  if (password.length > chosenPasswordMaxLength) return `the password is longer than ${chosenPasswordMaxLength} characters`;
  if (/["']/.test(password)) return 'the password contains a quote (" or \'), which is not allowed';
  if (!/^[\x20-\x7e]+$/.test(password)) return 'the password contains characters other than printable ASCII';
  return undefined;
}
