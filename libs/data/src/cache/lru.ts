/**
 * Least-recently-used map bounded in bytes: `get` refreshes an entry, `set` evicts the oldest
 * entries until the new one fits. A Map keeps insertion order, so the first key is the oldest.
 */
export class ByteLru<V extends { byteLength: number }> {
  private readonly items = new Map<string, V>();
  private used = 0;

  constructor(readonly capacityBytes: number) {}

  get(key: string): V | undefined {
    const v = this.items.get(key);
    if (v !== undefined) {
      this.items.delete(key);
      this.items.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.delete(key);
    for (const [k, v] of this.items) {
      if (this.used + value.byteLength <= this.capacityBytes) break;
      this.items.delete(k);
      this.used -= v.byteLength;
    }
    this.items.set(key, value);
    this.used += value.byteLength;
  }

  delete(key: string): void {
    const v = this.items.get(key);
    if (v === undefined) return;
    this.items.delete(key);
    this.used -= v.byteLength;
  }

  /** Drops every key starting with `prefix` (a rebuilt patient's chunks). */
  deletePrefix(prefix: string): void {
    for (const k of [...this.items.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.items.size;
  }
}
