// The e2e tier's scenarios, in order: each builds on the cluster state the previous ones left
// (the operator deployed first). Run with `npm run test:e2e` (test/e2e/run.ts starts the node).
import './scenarios/deploy.js';
