import { z } from 'zod';

/** Who manages a role: written as the role's COMMENT, read back before every change. */
export interface OwnershipMarker {
  /** uid of the kube-system namespace: tells clusters apart. */
  cluster: string;
  namespace: string;
  name: string;
  /** uid of the DatabaseUser. */
  uid: string;
}

const prefix = 'managed by dbuser-operator: ';
/** The comment on the group roles (dbuser-readonly@<db>, dbuser-readwrite@<db>). */
export const groupRoleComment = 'managed by dbuser-operator: privileges of the managed users of one database';

const markerSchema = z.object({ cluster: z.string(), namespace: z.string(), name: z.string(), uid: z.string() });

export function formatMarker(marker: OwnershipMarker): string {
  const { cluster, namespace, name, uid } = marker;
  return prefix + JSON.stringify({ cluster, namespace, name, uid });
}

/** The marker in a role comment, or undefined when the comment is not ours. */
export function parseMarker(comment: string | null): OwnershipMarker | undefined {
  if (!comment?.startsWith(prefix)) return undefined;
  try {
    const parsed = markerSchema.safeParse(JSON.parse(comment.slice(prefix.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function isGroupRoleComment(comment: string | null): boolean {
  return comment === groupRoleComment;
}
