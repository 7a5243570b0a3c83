import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PostgresServer, type PostgresEndpoint } from '../../harness/postgres-server.js';
import { network } from '../node/node-config.js';
import { readE2eState } from './e2e-state.js';

let postgres: PostgresServer | undefined;

function endpointFile(): string {
  return path.join(readE2eState().runDir, 'postgres.json');
}

/**
 * PostgreSQL for the operator's pods: on the node's address, inside the node's network namespace
 * (jest runs there), open to the pod network. Started once per run.
 */
export async function setUpE2eEnvironment(): Promise<void> {
  postgres = await PostgresServer.start({
    dir: path.join(readE2eState().runDir, 'postgres'),
    host: network.nodeAddress,
    allowFrom: [`${network.nodeAddress}/32`, network.clusterCidr],
  });
  writeFileSync(endpointFile(), JSON.stringify(postgres.endpoint), { mode: 0o600 });
}

export async function tearDownE2eEnvironment(): Promise<void> {
  await postgres?.stop();
}

export function readPostgresEndpoint(): PostgresEndpoint {
  return JSON.parse(readFileSync(endpointFile(), 'utf8')) as PostgresEndpoint;
}
