#!/usr/bin/env node
// kubectl-dbuser: the kubectl plugin (`kubectl dbuser ...`); kubectl runs it with the arguments after "dbuser".
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    return () => {
      process.off('SIGINT', handler);
    };
  },
});
