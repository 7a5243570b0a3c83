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
