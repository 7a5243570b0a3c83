/** An Event about one of the operator's objects (a DatabaseUser unless `kind` says otherwise), as a reconciler records it. */
export interface EventRecord {
  /** The namespace of the Event; a cluster-scoped object's Events go to the operator's namespace. */
  namespace: string;
  involved: { name: string; uid: string; resourceVersion?: string; kind?: 'Database' | 'DatabaseServer' };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}
