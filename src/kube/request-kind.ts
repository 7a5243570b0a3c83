/** A request as the API server's audit log names it: a Kubernetes verb on a resource (subresource). */
export interface RequestKind {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'other';
  /** e.g. "secrets", "databaseusers/status", "leases"; "other" for non-resource paths. */
  resource: string;
}

const writeVerbs: Record<string, RequestKind['verb']> = { POST: 'create', PUT: 'update', PATCH: 'patch' };

/** Names a request from its method, path and query: the label set of the requests metric (few values). */
export function requestKind(method: string, path: string, query: Readonly<Record<string, unknown>> = {}): RequestKind {
  const segments = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const afterVersion = segments[0] === 'api' ? segments.slice(2) : segments[0] === 'apis' ? segments.slice(3) : undefined;
  if (afterVersion === undefined || afterVersion.length === 0) return { verb: 'other', resource: 'other' };
  const [resource = '', name, subresource] = afterVersion[0] === 'namespaces' && afterVersion.length >= 3 ? afterVersion.slice(2) : afterVersion;
  const label = subresource === undefined ? resource : `${resource}/${subresource}`;
  const collection = name === undefined;
  if (method === 'GET') return { verb: collection ? (query.watch === true || query.watch === 'true' ? 'watch' : 'list') : 'get', resource: label };
  if (method === 'DELETE') return { verb: collection ? 'deletecollection' : 'delete', resource: label };
  return { verb: writeVerbs[method] ?? 'other', resource: label };
}
