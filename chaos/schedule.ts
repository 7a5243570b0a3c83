import { SeededRandom } from './random.js';

/** How big a chaos run is (npm run chaos: CHAOS_* variables). */
export interface ChaosSize {
  users: number;
  kills: number;
  postgresRestarts: number;
  apiServerRestarts: number;
  /** Cuts of the operator's PostgreSQL connections, each aimed at a transaction in flight. */
  cuts: number;
  namespaces: number;
}

export interface PlannedUser {
  index: number;
  namespace: string;
  /** metadata.name of the DatabaseUser. */
  name: string;
  username: string;
  readOnly: boolean;
  encryption: 'scram-sha-256' | 'md5';
  /** The first chosen password, or undefined for a generated one. */
  chosenPassword: string | undefined;
}

export type Operation =
  | { kind: 'create'; user: number }
  | { kind: 'toggleReadOnly'; user: number; readOnly: boolean }
  | { kind: 'reset'; user: number; token: string }
  | { kind: 'editChosen'; user: number; password: string }
  | { kind: 'delete'; user: number };

export type Fault =
  /** SIGKILL of the operator; it is started again after `downMs`. */
  | { kind: 'kill'; downMs: number }
  | { kind: 'restartPostgres' }
  | { kind: 'restartApiServer' }
  /** The operator's next transaction loses its connection this many messages after BEGIN (at COMMIT at the latest). */
  | { kind: 'cutConnections'; messagesAfterBegin: number };

/** Operations sent together, then a pause, then a fault (none after the last segment). */
export interface Segment {
  operations: Operation[];
  pauseMs: number;
  fault: Fault | undefined;
}

/** What the schedule leaves each user as, by the API's contract. */
export interface ExpectedUser {
  deleted: boolean;
  readOnly: boolean;
  /** The last chosen password written, for chosen-password users. */
  chosenPassword: string | undefined;
  /** The last reset token set, if the user was ever reset. */
  lastResetToken: string | undefined;
  resets: number;
}

export interface Schedule {
  seed: number;
  namespaces: string[];
  users: PlannedUser[];
  segments: Segment[];
  expected: ExpectedUser[];
}

// Printable ASCII without quotes (the policy refuses them), some non-ASCII that SASLprep keeps as is.
const passwordAlphabet = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[\\]^_{|}~ éñßΩ日本€');

/** A chosen password by the policy: 24-64 characters, no quotes or control characters, not starting or ending with a space. */
function chosenPassword(random: SeededRandom): string {
  const length = random.int(24, 64);
  const characters = Array.from({ length }, () => random.pick(passwordAlphabet));
  for (const end of [0, length - 1]) if (characters[end] === ' ') characters[end] = 'x';
  return characters.join('');
}

/**
 * The whole run, decided by the seed before anything starts: the users, the operations on them and
 * where among them each fault falls. Creates come first, then updates (read-only toggles, resets of
 * generated passwords, edits of chosen ones) in a random order, then deletes; the faults are spread
 * evenly over the operations, each after a random pause.
 */
export function buildSchedule(seed: number, size: ChaosSize): Schedule {
  const random = new SeededRandom(seed);
  const namespaces = Array.from({ length: size.namespaces }, (_, i) => `chaos-${i}`);
  const users: PlannedUser[] = Array.from({ length: size.users }, (_, index) => ({
    index,
    namespace: namespaces[index % namespaces.length] ?? 'chaos-0',
    name: `u-${index}`,
    // Some in mixed case: the role's name keeps it (always quoted).
    username: index % 7 === 0 ? `Chaos_User_${index}` : `chaos_user_${index}`,
    readOnly: random.chance(1 / 3),
    encryption: random.chance(1 / 5) ? 'md5' : 'scram-sha-256',
    chosenPassword: random.chance(1 / 4) ? chosenPassword(random) : undefined,
  }));
  const expected: ExpectedUser[] = users.map((user) => ({
    deleted: false,
    readOnly: user.readOnly,
    chosenPassword: user.chosenPassword,
    lastResetToken: undefined,
    resets: 0,
  }));
  const state = (user: number): ExpectedUser => {
    const found = expected[user];
    if (!found) throw new Error(`no user ${user}`);
    return found;
  };

  const creates: Operation[] = random.shuffle(users.map((user) => ({ kind: 'create', user: user.index }) as const));
  const generated = users.filter((user) => user.chosenPassword === undefined).map((user) => user.index);
  const chosen = users.filter((user) => user.chosenPassword !== undefined).map((user) => user.index);
  const updateKinds: Operation['kind'][] = random.shuffle([
    ...Array<Operation['kind']>(Math.round(size.users * 0.3)).fill('toggleReadOnly'),
    ...Array<Operation['kind']>(generated.length > 0 ? Math.round(size.users * 0.25) : 0).fill('reset'),
    ...Array<Operation['kind']>(chosen.length > 0 ? chosen.length : 0).fill('editChosen'),
  ]);
  const updates: Operation[] = updateKinds.map((kind, i) => {
    switch (kind) {
      case 'reset': {
        const user = random.pick(generated);
        const token = `r${i}`;
        state(user).lastResetToken = token;
        state(user).resets += 1;
        return { kind, user, token };
      }
      case 'editChosen': {
        const user = random.pick(chosen);
        const password = chosenPassword(random);
        state(user).chosenPassword = password;
        return { kind, user, password };
      }
      default: {
        const user = random.int(0, users.length - 1);
        const readOnly = !state(user).readOnly;
        state(user).readOnly = readOnly;
        return { kind: 'toggleReadOnly', user, readOnly };
      }
    }
  });
  const deletes: Operation[] = random
    .shuffle(users.map((user) => user.index))
    .slice(0, Math.round(size.users * 0.25))
    .map((user) => {
      state(user).deleted = true;
      return { kind: 'delete', user };
    });
  const operations = [...creates, ...updates, ...deletes];

  const faults: Fault[] = random.shuffle([
    ...Array.from({ length: size.kills }, (): Fault => ({ kind: 'kill', downMs: 0 })),
    ...Array.from({ length: size.postgresRestarts }, (): Fault => ({ kind: 'restartPostgres' })),
    ...Array.from({ length: size.apiServerRestarts }, (): Fault => ({ kind: 'restartApiServer' })),
    ...Array.from({ length: size.cuts }, (): Fault => ({ kind: 'cutConnections', messagesAfterBegin: 0 })),
  ]);
  const segments: Segment[] = [];
  const count = faults.length + 1;
  for (let k = 0; k < count; k++) {
    const from = Math.floor((k * operations.length) / count);
    const to = Math.floor(((k + 1) * operations.length) / count);
    segments.push({ operations: operations.slice(from, to), pauseMs: random.int(0, 2500), fault: withTiming(faults[k], random) });
  }
  return { seed, namespaces, users, segments, expected };
}

/** A fault's own random part: how long the operator stays down, where in a transaction the cut falls. */
function withTiming(fault: Fault | undefined, random: SeededRandom): Fault | undefined {
  if (fault?.kind === 'kill') return { kind: 'kill', downMs: random.int(0, 1500) };
  if (fault?.kind === 'cutConnections') return { kind: 'cutConnections', messagesAfterBegin: random.int(0, 3) };
  return fault;
}

/** Counts of what a schedule does, for the run's summary. */
export function describeSchedule(schedule: Schedule): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const segment of schedule.segments) {
    for (const operation of segment.operations) counts[operation.kind] = (counts[operation.kind] ?? 0) + 1;
    if (segment.fault) counts[segment.fault.kind] = (counts[segment.fault.kind] ?? 0) + 1;
  }
  return counts;
}
