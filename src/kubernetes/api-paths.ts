import { apiGroup, apiVersion, plural } from '../api/names.js';

/** REST paths of the two resources people's tools touch (the operator's own are in resources.ts). */
export function databaseUserPath(namespace: string, name?: string): string {
  return `/apis/${apiGroup}/${apiVersion}/namespaces/${encodeURIComponent(namespace)}/${plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

export function secretPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
