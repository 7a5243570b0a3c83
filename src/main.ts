// The entry point: the only reader of process.env and process.argv.
import { hostname } from 'node:os';
import { loadClusterConfig, type ClusterConfig } from './kube/cluster-config.js';
import { ConfigError, loadConfig, type OperatorConfig } from './runtime/config.js';
import { createLogger } from './runtime/logger.js';
import { Operator } from './operator.js';
import { describeError } from './runtime/describe-error.js';

let config: OperatorConfig;
try {
  config = loadConfig(process.env, process.argv.slice(2), hostname());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`dbuser-operator: invalid configuration: ${error.message}\n`);
  process.exit(2);
}

const logger = createLogger(config.logLevel);
let cluster: ClusterConfig;
try {
  cluster = await loadClusterConfig(process.env);
} catch (error) {
  process.stderr.write(`dbuser-operator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

let stopping: Promise<void> | undefined;
const operator = Operator.create(config, cluster, logger, (reason) => {
  logger.fatal({ reason }, 'exiting');
  process.exit(1);
});

function shutDown(signal: NodeJS.Signals): void {
  if (stopping) return;
  logger.info({ signal }, 'shutting down');
  stopping = operator.stop().then(
    () => {
      logger.info('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ err: describeError(error) }, 'shutdown failed');
      process.exit(1);
    },
  );
}
// Registered before run(): a SIGTERM during start-up is still a clean stop.
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);

await operator.run().catch((error: unknown) => {
  logger.fatal({ err: describeError(error) }, 'could not start');
  process.exit(1);
});
