/** An Event about one DatabaseUser, as the reconciler records it. */
export interface EventRecord {
  namespace: string;
  involved: { name: string; uid: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}
