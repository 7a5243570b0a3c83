/** The rule for a password a person chooses: shared by the operator, the CRD text and the command line. */
export const chosenPasswordMinLength = 24;
export const chosenPasswordMaxLength = 64;

/** Characters as a person counts them: code points of the composed (NFC) form, so NFC and NFD count alike. */
export function passwordLength(password: string): number {
  return Array.from(password.normalize('NFC')).length;
}

/**
 * The password policy's rules that need no Unicode tables, in its order: 24-64 characters, no quotes
 * (the provider's rule), no control characters (a newline would break .pgpass and most prompts).
 * Apart from password-policy.ts so that the dashboard's page can check them in the browser without
 * SASLprep's tables (half a megabyte); its server checks the whole policy.
 */
export function passwordShapeViolation(password: string): string | undefined {
  const length = passwordLength(password);
  if (length < chosenPasswordMinLength) return `the password is shorter than ${chosenPasswordMinLength} characters`;
  if (length > chosenPasswordMaxLength) return `the password is longer than ${chosenPasswordMaxLength} characters`;
  if (/["']/.test(password)) return 'the password contains a quote (" or \'), which is not allowed';
  if (/\p{Cc}/u.test(password)) return 'the password contains a control character (such as a newline or a tab), which is not allowed';
  return undefined;
}
