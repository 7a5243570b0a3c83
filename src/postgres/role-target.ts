import type { ConnectionSettings } from '../api/connection.js';

/** One role on one server, seen from one database (the DatabaseUser's). */
export interface RoleTarget {
  connection: ConnectionSettings;
  database: string;
  username: string;
}
