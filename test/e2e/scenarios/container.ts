// Acceptance 3: inside the running container, uid 65532, a read-only root filesystem, no
// capabilities, the memory limit in force; the operator works with that (it writes nowhere).
import { describe, expect, it } from '@jest/globals';
import { operatorNodeFlags } from '../../integration/support/operator-process.js';
import { kubectlOk, operatorNamespace, waitForReadyReplicas } from '../support/cluster.js';

/** Runs a Node snippet in the operator container (the image has node; the operator is PID 1). */
async function inContainer(pod: string, script: string): Promise<string> {
  return kubectlOk('exec', '-n', operatorNamespace, pod, '-c', 'operator', '--', 'node', '-e', script);
}

const probe = `
const fs = require('node:fs');
const status = Object.fromEntries(fs.readFileSync('/proc/1/status', 'utf8').trim().split('\\n').map((line) => line.split(/:\\s+/)));
const rootMount = fs.readFileSync('/proc/1/mountinfo', 'utf8').split('\\n').find((line) => line.split(' ')[4] === '/');
let rootWrite = 'written';
try { fs.writeFileSync('/probe', 'x'); } catch (error) { rootWrite = error.code; }
let appWrite = 'written';
try { fs.writeFileSync('/app/probe', 'x'); } catch (error) { appWrite = error.code; }
const limitFiles = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];
const limit = limitFiles.filter((file) => fs.existsSync(file)).map((file) => fs.readFileSync(file, 'utf8').trim())[0];
const writable = fs.readFileSync('/proc/1/mountinfo', 'utf8').trim().split('\\n').map((line) => line.split(' '))
  .filter((fields) => fields[5].split(',').includes('rw') && !['/proc', '/sys', '/dev'].some((p) => fields[4] === p || fields[4].startsWith(p + '/')))
  .map((fields) => fields[4]);
console.log(JSON.stringify({ uid: status.Uid, gid: status.Gid, capEff: status.CapEff, capPrm: status.CapPrm, capBnd: status.CapBnd,
  noNewPrivs: status.NoNewPrivs, rootOptions: rootMount.split(' ')[5], rootWrite, appWrite, limit, writable, cmd: fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').filter(Boolean) }));
`;

interface ContainerFacts {
  uid: string;
  gid: string;
  capEff: string;
  capPrm: string;
  capBnd: string;
  noNewPrivs: string;
  rootOptions: string;
  rootWrite: string;
  appWrite: string;
  limit: string | undefined;
  writable: string[];
  cmd: string[];
}

describe('inside the running container', () => {
  it('runs as 65532 with no capabilities, no new privileges, a read-only root and the 256Mi limit', async () => {
    const pods = await waitForReadyReplicas();
    for (const pod of pods) {
      const facts = JSON.parse(await inContainer(pod.name, probe)) as ContainerFacts;
      expect(facts.cmd.slice(0, 1 + operatorNodeFlags.length)).toEqual(['node', ...operatorNodeFlags]);
      expect(facts.uid.split('\t')).toEqual(['65532', '65532', '65532', '65532']);
      expect(facts.gid.split('\t')).toEqual(['65532', '65532', '65532', '65532']);
      expect([facts.capEff, facts.capPrm, facts.capBnd]).toEqual(['0000000000000000', '0000000000000000', '0000000000000000']);
      expect(facts.noNewPrivs).toBe('1');
      expect(facts.rootOptions.split(',')).toContain('ro');
      expect(facts.rootWrite).toBe('EROFS');
      expect(facts.appWrite).toBe('EROFS');
      expect(facts.limit).toBe(String(256 * 1024 * 1024));
      // Only what kubelet mounts for every container may be writable; the operator needs none of it.
      expect(facts.writable.filter((mount) => !['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev/termination-log'].includes(mount))).toEqual([]);
    }
  }, 60_000);

  it('works with that: both replicas Ready and never restarted (any write outside those paths would have failed)', async () => {
    const pods = await waitForReadyReplicas();
    for (const pod of pods) {
      const restarts = await kubectlOk('get', 'pod', pod.name, '-n', operatorNamespace, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}');
      expect(restarts.trim()).toBe('0');
    }
  });
});
