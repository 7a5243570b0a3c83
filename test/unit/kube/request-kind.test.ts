import { requestKind } from '../../../src/kube/request-kind.js';

describe('requestKind', () => {
  it.each([
    ['GET', '/apis/dbuser.dev/v1alpha1/namespaces/shop/databaseusers', {}, 'list', 'databaseusers'],
    ['GET', '/apis/dbuser.dev/v1alpha1/databaseusers', { watch: true }, 'watch', 'databaseusers'],
    ['GET', '/api/v1/namespaces/shop/secrets/pg-admin', {}, 'get', 'secrets'],
    ['PATCH', '/apis/dbuser.dev/v1alpha1/namespaces/shop/databaseusers/my-user/status', {}, 'patch', 'databaseusers/status'],
    ['PATCH', '/apis/dbuser.dev/v1alpha1/namespaces/shop/databaseusers/my-user', {}, 'patch', 'databaseusers'],
    ['POST', '/api/v1/namespaces/shop/events', {}, 'create', 'events'],
    ['PUT', '/apis/coordination.k8s.io/v1/namespaces/operator/leases/dbuser-operator', {}, 'update', 'leases'],
    ['DELETE', '/api/v1/namespaces/shop/secrets/old', {}, 'delete', 'secrets'],
    ['GET', '/api/v1/namespaces/kube-system', {}, 'get', 'namespaces'],
    ['GET', '/version', {}, 'other', 'other'],
  ])('%s %s -> %s', (method, path, query, verb, resource) => {
    expect(requestKind(method, path, query)).toEqual({ verb, resource });
  });
});
