/** The rule for a password a person chooses: shared by the operator, the CRD text and the command line. */
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
