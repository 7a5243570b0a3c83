/** The page's calls to its own server (same origin; the cookie carries the token). */
import { usersPath, type CreateUserRequest, type NamespaceChoice, type PasswordResult, type Problem } from '../wire.js';

/** The dashboard's server refused: its sentence, and the form field it is about, if any. */
export class ApiRefusal extends Error {
  readonly field: Problem['field'];

  constructor(problem: Problem) {
    super(problem.error);
    this.name = 'ApiRefusal';
    this.field = problem.field;
  }
}

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    cache: 'no-store',
  });
  const answer = (await response.json().catch(() => ({ error: `The dashboard answered ${response.status} ${response.statusText}.` }))) as T | Problem;
  if (!response.ok) throw new ApiRefusal(answer as Problem);
  return answer as T;
}

export const dashboardApi = {
  namespaces: () => call<NamespaceChoice>('GET', '/api/namespaces'),
  createUser: (namespace: string, request: CreateUserRequest) => call<PasswordResult>('POST', usersPath(namespace), request),
  resetPassword: (namespace: string, name: string) => call<PasswordResult>('POST', `${usersPath(namespace, name)}/reset-password`),
  deleteUser: (namespace: string, name: string) => call<{ username: string }>('DELETE', usersPath(namespace, name)),
};

export function usersEventsUrl(namespace: string): string {
  return `${usersPath(namespace)}/events`;
}
