/**
 * Names the operator's SQL resolves, pinned to the system catalog (ADR 19). A tenant with CREATE on
 * a database's schema public (the read-write grant set) could otherwise plant a function or operator
 * there, or in a schema named after the admin ("$user" leads the default search_path), that is a
 * better match for the argument types of one of our queries than pg_catalog's, and it would run as
 * the admin. Three layers, each enough on its own where it applies:
 * - every connection starts with this search_path (a startup option), pg_temp last so not even a
 *   temporary object is looked up first;
 * - every transaction sets it again (SET LOCAL), for a pooler that drops the startup option;
 * - every function, operator, relation and type the SQL text names is written with its schema.
 */
export const pinnedSearchPath = 'pg_catalog, pg_temp';

/** The startup `options` that pin the search_path for the whole session. */
export const searchPathStartupOption = '-c search_path=pg_catalog,pg_temp';

/** First statement after BEGIN: the pin again, for as long as the transaction lasts. */
export const setLocalSearchPath = `SET LOCAL search_path = ${pinnedSearchPath}`;

/** pg_catalog's operators by their schema-qualified names: no other schema's can be chosen. */
export const eq = 'OPERATOR(pg_catalog.=)';
export const ne = 'OPERATOR(pg_catalog.<>)';

/**
 * Whether a connection attempt failed because the server (a pooler: PgBouncer without `options` in
 * ignore_startup_parameters, or Neon's proxy) refuses the startup `options` parameter.
 */
export function refusesStartupOptions(error: unknown): boolean {
  return error instanceof Error && /unsupported startup parameter/i.test(error.message);
}
