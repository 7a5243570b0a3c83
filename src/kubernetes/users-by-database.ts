/**
 * Which DatabaseUsers name which Database (spec.databaseRef), kept up to date by the user cache's
 * events so that "the users of this Database" is a lookup, not a scan of every user: a Database's
 * reconcile asks for its users, so a scan would cost Databases × users per resync.
 */
export class UsersByDatabase {
  /** User key (namespace/name) -> the Database key (namespace/name) it names. */
  private readonly databaseOf = new Map<string, string>();
  /** Database key -> the keys of the users naming it. */
  private readonly usersOf = new Map<string, Set<string>>();

  /** Records that the user `namespace/name` names `database` now (undefined: none). */
  set(namespace: string, name: string, database: string | undefined): void {
    const userKey = `${namespace}/${name}`;
    const databaseKey = database === undefined ? undefined : `${namespace}/${database}`;
    const previous = this.databaseOf.get(userKey);
    if (previous === databaseKey) return;
    if (previous !== undefined) this.forget(userKey, previous);
    if (databaseKey === undefined) return;
    this.databaseOf.set(userKey, databaseKey);
    let users = this.usersOf.get(databaseKey);
    if (users === undefined) {
      users = new Set();
      this.usersOf.set(databaseKey, users);
    }
    users.add(userKey);
  }

  /** Forgets the user `namespace/name` (deleted). */
  remove(namespace: string, name: string): void {
    const userKey = `${namespace}/${name}`;
    const previous = this.databaseOf.get(userKey);
    if (previous !== undefined) this.forget(userKey, previous);
  }

  /** The keys (namespace/name) of the users naming the Database `namespace/database`. */
  users(namespace: string, database: string): string[] {
    return [...(this.usersOf.get(`${namespace}/${database}`) ?? [])];
  }

  private forget(userKey: string, databaseKey: string): void {
    this.databaseOf.delete(userKey);
    const users = this.usersOf.get(databaseKey);
    users?.delete(userKey);
    if (users?.size === 0) this.usersOf.delete(databaseKey);
  }
}
