/** The password a person chose for a user, or that one is to be generated. */
export type PasswordChoice = { kind: 'chosen'; password: string } | { kind: 'generate' };
