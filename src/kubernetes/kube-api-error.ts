/** A non-2xx answer from the API server, with the fields of its metav1.Status (never the request body). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get conflict(): boolean {
    return this.status === 409;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.notFound;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.conflict;
}
