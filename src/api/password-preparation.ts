import saslprep from '@mongodb-js/saslprep';

/**
 * The text SCRAM-SHA-256 hashes for a password, prepared as PostgreSQL's server and libpq do
 * (pg_saslprep): ASCII passwords as they are, others through SASLprep (RFC 4013: non-ASCII spaces to
 * space, "mapped to nothing" characters removed, NFKC, prohibited and unassigned code points and bad
 * bidirectional text refused). Undefined when SASLprep refuses the password: PostgreSQL then hashes
 * the raw bytes, which clients that prepare differently cannot reproduce, so the password policy
 * refuses such passwords instead.
 */
export function scramPrepared(password: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- the ASCII range, as pg_is_ascii_string checks it
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  try {
    return saslprep(password);
  } catch {
    return undefined;
  }
}
