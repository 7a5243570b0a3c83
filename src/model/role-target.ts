import type { ConnectionSettings } from '../api/connection.js';
import type { PasswordEncryption } from './password-encryption.js';

/** One role on one server, seen from one database (the DatabaseUser's). */
export interface RoleTarget {
  connection: ConnectionSettings;
  database: string;
  username: string;
}

/** A password to compare the role's stored one with, and how it would be stored. */
export interface CandidatePassword {
  value: string;
  encryption: PasswordEncryption;
  /** The digest of the verifier the operator set for this password, from its sealed record (ADR 28). */
  verifierDigest?: string;
}
