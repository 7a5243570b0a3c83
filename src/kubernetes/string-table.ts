/**
 * One copy of each often-repeated string in the caches: the namespace, finalizer, connection Secret,
 * enum values and condition fields that every one of 50,000 cached objects would otherwise hold its
 * own copy of (JSON.parse gives every value a new string). Only fields with few distinct values are
 * interned, and the table stops growing at `capacity` (then strings are kept as they came), so it
 * cannot grow with the number of objects.
 */
export class StringTable {
  private readonly strings = new Map<string, string>();

  constructor(private readonly capacity = 4096) {}

  intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    if (this.strings.size < this.capacity) this.strings.set(text, text);
    return text;
  }

  /** Replaces the listed fields of `object` holding strings with their one copy (in place; the object is the cache's own). */
  internFields(object: unknown, fields: readonly string[]): void {
    if (typeof object !== 'object' || object === null) return;
    const record = object as Record<string, unknown>;
    for (const field of fields) {
      const value = record[field];
      if (typeof value === 'string') record[field] = this.intern(value);
    }
  }

  get size(): number {
    return this.strings.size;
  }
}
