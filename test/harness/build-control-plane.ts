// `npm run controlplane:build`: builds (or finds cached) kube-apiserver and etcd, printing the time taken.
import { ensureControlPlaneBinaries } from './control-plane-binaries.js';

const started = Date.now();
const binaries = await ensureControlPlaneBinaries((line) => {
  console.log(line);
});
console.log(`kube-apiserver: ${binaries.kubeApiserver}`);
console.log(`etcd:           ${binaries.etcd}`);
console.log(`kubectl:        ${binaries.kubectl}`);
console.log(`ready in ${Math.round((Date.now() - started) / 1000)} s`);
