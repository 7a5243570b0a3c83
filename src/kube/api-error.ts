/**
 * A non-2xx answer from the API server, with the fields of its metav1.Status (never the request
 * body): `serverMessage` is the server's own words, for tools that show them to a person; `message`
 * adds the request, for logs.
 */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly serverMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${serverMessage}`);
    this.name = 'KubeApiError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get conflict(): boolean {
    return this.status === 409;
  }

  get forbidden(): boolean {
    return this.status === 403;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.notFound;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.conflict;
}

/** The request's result, or undefined when the object is not there (404): "absent" is an answer, not an error. */
export async function ignoreNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
