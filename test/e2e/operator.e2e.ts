// The e2e tier's scenarios, in order: each builds on the cluster state the previous ones left
// (the operator deployed first). Run with `npm run test:e2e` (test/e2e/run.ts starts the node).
import './scenarios/deploy.js';
import './scenarios/image.js';
import './scenarios/examples.js';
import './scenarios/container.js';
import './scenarios/failover.js';
import './scenarios/failover-under-load.js';
import './scenarios/observability.js';
import './scenarios/garbage-collection.js';
import './scenarios/namespace-deletion.js';
