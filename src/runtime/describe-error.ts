/** A log-safe description of an error: its class and message, never a request or response body. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
