/**
 * A small open-addressing hash table from 32-bit unsigned keys to
 * non-negative integer values, much faster than `Map` on this hot path (feature
 * lookups while vectorising text).
 */

const EMPTY = -1;

/** A growable table from uint32 keys to non-negative integers. */
export class HashIndex {
  private keys: Uint32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  /** Creates an empty table sized for about `expected` entries. */
  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  /** Number of keys stored. */
  get size(): number {
    return this.count;
  }

  /** The value stored for `key`, or -1 when absent. */
  get(key: number): number {
    let slot = this.slotOf(key);
    while (true) {
      const value = this.values[slot] ?? EMPTY;
      if (value === EMPTY || this.keys[slot] === key) return value;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Stores `value` (>= 0) for `key`, replacing any previous value. */
  set(key: number, value: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    let slot = this.slotOf(key);
    while ((this.values[slot] ?? EMPTY) !== EMPTY && this.keys[slot] !== key)
      slot = (slot + 1) & this.mask;
    if ((this.values[slot] ?? EMPTY) === EMPTY) this.count += 1;
    this.keys[slot] = key;
    this.values[slot] = value;
  }

  /** Calls `visit` for every stored key and value (in slot order). */
  forEach(visit: (key: number, value: number) => void): void {
    this.values.forEach((value, slot) => {
      if (value !== EMPTY) visit(this.keys[slot] ?? 0, value);
    });
  }

  private slotOf(key: number): number {
    return (Math.imul(key, 0x9e3779b1) >>> 0) & this.mask;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Uint32Array(oldKeys.length * 2);
    this.values = new Int32Array(oldKeys.length * 2).fill(EMPTY);
    this.mask = this.keys.length - 1;
    this.count = 0;
    oldValues.forEach((value, slot) => {
      if (value !== EMPTY) this.set(oldKeys[slot] ?? 0, value);
    });
  }
}
