/** A kind's place in the REST API: group ("" for the core group), version and plural name. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
}

export const secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets' };
export const events: ResourceType = { group: '', version: 'v1', plural: 'events' };
export const namespaces: ResourceType = { group: '', version: 'v1', plural: 'namespaces' };
export const leases: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/**
 * The REST path of a collection or of one object: `namespace` undefined means every namespace (or a
 * cluster-scoped kind), `name` undefined the collection. The only place paths are spelled.
 */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const root = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  const object = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource === undefined ? '' : `/${subresource}`}`;
  return `${root}${scope}/${type.plural}${object}`;
}
