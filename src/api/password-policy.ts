import { scramPrepared } from './password-preparation.js';
import { chosenPasswordMinLength, passwordLength, passwordShapeViolation } from './password-shape.js';

/**
 * Why a user-chosen password is refused, or undefined when it is acceptable: 24-64 characters, no
 * quotes (the provider's rule), Unicode included, no control characters (password-shape.ts), and
 * nothing SASLprep prohibits — PostgreSQL would hash such a password unprepared and clients that
 * prepare it could not log in. Messages describe the rule, never the password.
 */
export function passwordPolicyViolation(password: string): string | undefined {
  const shape = passwordShapeViolation(password);
  if (shape !== undefined) return shape;
  const prepared = scramPrepared(password);
  if (prepared === undefined) {
    return 'the password contains characters SASLprep (RFC 4013) prohibits (unassigned, private-use or non-character code points, or mixed right-to-left text)';
  }
  // What SCRAM hashes is the prepared text: 23 soft hyphens and an "a" are the password "a"
  // (fuzzing finding password-prepared-below-minimum).
  if (passwordLength(prepared) < chosenPasswordMinLength) {
    return `the password is shorter than ${chosenPasswordMinLength} characters once SASLprep removes what it ignores (soft hyphens, zero-width joiners and the like)`;
  }
  return undefined;
}
