import { describe, expect, it } from '@jest/globals';
import { readyReasons } from '../../../src/api/conditions.js';
import { OperationFailed } from '../../../src/client/operation-failed.js';
import { PlacementRefused } from '../../../src/client/placement.js';
import { explainError, explainReason } from '../../../src/dashboard/explain.js';
import { KubeApiError } from '../../../src/kube/api-error.js';

const path = '/apis/dbuser.dev/v1alpha1/namespaces/shop/databaseusers/my-app';

describe('explainReason', () => {
  it.each(Object.keys(readyReasons))('has a sentence for %s', (reason) => {
    const sentence = explainReason('False', reason, false);
    expect(sentence).toMatch(/^[A-Z].*\.$/);
    expect(sentence).not.toContain(reason);
  });

  it('says when the user is being deleted or not reported on yet, and keeps an unknown reason', () => {
    expect(explainReason('True', 'Reconciled', true)).toBe('Being deleted: the operator is dropping the role.');
    expect(explainReason('Unknown', '', false)).toBe('Waiting for the operator to create the role.');
    expect(explainReason('False', 'SomethingNew', false)).toBe('Not ready (SomethingNew).');
  });
});

describe('explainError', () => {
  it("gives an admission policy's denial as the policy's own message", () => {
    const denied = new KubeApiError(
      403,
      'Forbidden',
      `databaseusers.dbuser.dev "my-app" is forbidden: ValidatingAdmissionPolicy 'dbuser-protection' with binding 'dbuser-protection' denied request: DatabaseUser "my-app" (user "my_app_4553") is protected and cannot be deleted: set spec.protected to false first`,
      'DELETE',
      path,
    );
    expect(explainError(denied)).toEqual({
      status: 403,
      message: `The cluster's policy refused this: DatabaseUser "my-app" (user "my_app_4553") is protected and cannot be deleted: set spec.protected to false first.`,
    });
  });

  it('gives an RBAC refusal as a lack of permission, without the request line', () => {
    const forbidden = new KubeApiError(403, 'Forbidden', 'databaseusers.dbuser.dev is forbidden: User "ann" cannot create resource', 'POST', path);
    expect(explainError(forbidden)).toEqual({
      status: 403,
      message: 'Your Kubernetes account is not allowed to do this: databaseusers.dbuser.dev is forbidden: User "ann" cannot create resource.',
    });
  });

  it('gives a 404 as gone, a refusal of the operator as it is, and an unreachable API server as such', () => {
    expect(explainError(new KubeApiError(404, 'NotFound', 'not found', 'GET', path)).status).toBe(404);
    expect(explainError(new OperationFailed('user "x" was not created: RoleConflict: the role exists'))).toEqual({
      status: 409,
      message: 'User "x" was not created: RoleConflict: the role exists.',
    });
    expect(explainError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }))).toEqual({
      status: 502,
      message: 'Cannot reach the Kubernetes API server (ECONNREFUSED); check your network and kubeconfig.',
    });
  });

  it("puts an existing username on the form's username field, in the page's words (no command-line flags)", () => {
    const exists = new PlacementRefused({ kind: 'user-exists', namespace: 'shop', username: 'my_user', name: 'my-user', deleting: false });
    expect(explainError(exists)).toEqual({
      status: 409,
      message: 'User my_user already exists in this namespace; choose another username.',
      field: 'username',
    });
    const taken = new PlacementRefused({ kind: 'name-taken', namespace: 'shop', username: 'my_user', name: 'my-user', takenBy: 'My_User' });
    expect(explainError(taken).field).toBe('username');
    expect(explainError(taken).message).toBe('This username needs the name "my-user" in Kubernetes, which user My_User already has; choose another username.');
    for (const conflict of [exists, taken]) expect(explainError(conflict).message).not.toContain('--');
  });
});
