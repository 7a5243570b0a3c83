import { readFileSync } from 'node:fs';
import type { CgroupLayout } from './cgroups.js';
import type { HostSettings } from './node-config.js';

const capSysResource = 24;

function hasCapability(bit: number): boolean {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('CapEff:'));
  return line !== undefined && (BigInt(`0x${line.slice('CapEff:'.length).trim()}`) & (1n << BigInt(bit))) !== 0n;
}

function swapOn(): boolean {
  return readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
}

/** The host-specific settings of KNOWLEDGE.md ("A real node on this machine"), read from the host. */
export function detectHostSettings(cgroups: CgroupLayout): HostSettings {
  return { cgroupDriver: 'cgroupfs', cgroupV1: cgroups.v1, swapOn: swapOn(), restrictOomScoreAdj: !hasCapability(capSysResource) };
}
