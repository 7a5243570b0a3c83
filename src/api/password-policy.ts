import { scramPrepared } from './password-preparation.js';

/** The rule for a password a person chooses: shared by the operator, the CRD text and the command line. */
export const chosenPasswordMinLength = 24;
export const chosenPasswordMaxLength = 64;

/** Characters as a person counts them: code points of the composed (NFC) form, so NFC and NFD count alike. */
export function passwordLength(password: string): number {
  return Array.from(password.normalize('NFC')).length;
}

/**
 * Why a user-chosen password is refused, or undefined when it is acceptable: 24-64 characters, no
 * quotes (the provider's rule), Unicode included, no control characters (a newline would break
 * .pgpass and most prompts), and nothing SASLprep prohibits — PostgreSQL would hash such a password
 * unprepared and clients that prepare it could not log in. Messages describe the rule, never the password.
 */
export function passwordPolicyViolation(password: string): string | undefined {
  const length = passwordLength(password);
  if (length < chosenPasswordMinLength) return `the password is shorter than ${chosenPasswordMinLength} characters`;
  if (length > chosenPasswordMaxLength) return `the password is longer than ${chosenPasswordMaxLength} characters`;
  if (/["']/.test(password)) return 'the password contains a quote (" or \'), which is not allowed';
  if (/\p{Cc}/u.test(password)) return 'the password contains a control character (such as a newline or a tab), which is not allowed';
  if (scramPrepared(password) === undefined) {
    return 'the password contains characters SASLprep (RFC 4013) prohibits (unassigned, private-use or non-character code points, or mixed right-to-left text)';
  }
  return undefined;
}
