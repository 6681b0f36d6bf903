/**
 * Small array helpers that come up again and again in application code.
 * Every function is pure: it never mutates its input.
 */

/** Split an array into chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError("chunk size must be a positive integer");
  }
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

/** Remove duplicates, keeping the first occurrence. Optionally by key. */
export function unique<T, K = T>(items: readonly T[], key?: (item: T) => K): T[] {
  const seen = new Set<K | T>();
  const result: T[] = [];
  for (const item of items) {
    const k = key ? key(item) : item;
    if (!seen.has(k)) {
      seen.add(k);
      result.push(item);
    }
  }
  return result;
}

/** Group items into a record keyed by the result of `key`. */
export function groupBy<T, K extends PropertyKey>(
  items: readonly T[],
  key: (item: T) => K,
): Record<K, T[]> {
  const groups = {} as Record<K, T[]>;
  for (const item of items) {
    const k = key(item);
    (groups[k] ??= []).push(item);
  }
  return groups;
}

/** Count how many items fall under each key. */
export function countBy<T, K extends PropertyKey>(
  items: readonly T[],
  key: (item: T) => K,
): Record<K, number> {
  const counts = {} as Record<K, number>;
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Split into [matching, notMatching] in a single pass. */
export function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) {
    (test(item) ? yes : no).push(item);
  }
  return [yes, no];
}

type Comparable = number | string | Date;

/**
 * Return a sorted copy, ordered by one or more keys. Wrap a key in the
 * `desc` helper to reverse its order.
 *
 *   sortBy(people, (p) => p.lastName, desc((p) => p.age))
 */
export function sortBy<T>(
  items: readonly T[],
  ...keys: Array<((item: T) => Comparable) | { desc: (item: T) => Comparable }>
): T[] {
  const compare = (a: Comparable, b: Comparable): number => {
    const x = a instanceof Date ? a.getTime() : a;
    const y = b instanceof Date ? b.getTime() : b;
    if (typeof x === "string" && typeof y === "string") {
      return x.localeCompare(y);
    }
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return [...items].sort((a, b) => {
    for (const key of keys) {
      const descending = typeof key !== "function";
      const fn = descending ? key.desc : key;
      const result = compare(fn(a), fn(b));
      if (result !== 0) {
        return descending ? -result : result;
      }
    }
    return 0;
  });
}

export function desc<T>(fn: (item: T) => Comparable): { desc: (item: T) => Comparable } {
  return { desc: fn };
}

/** Sum numbers, or the result of `pick` for each item. */
export function sum<T>(items: readonly T[], pick?: (item: T) => number): number {
  let total = 0;
  for (const item of items) {
    total += pick ? pick(item) : (item as unknown as number);
  }
  return total;
}

/** Arithmetic mean, or NaN for an empty array. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}

/** Median of a list of numbers, or NaN for an empty array. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

/** Numbers from `start` up to but not including `end`. */
export function range(start: number, end?: number, step = 1): number[] {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) {
    throw new RangeError("step must not be zero");
  }
  const result: number[] = [];
  if (step > 0) {
    for (let i = start; i < end; i += step) result.push(i);
  } else {
    for (let i = start; i > end; i += step) result.push(i);
  }
  return result;
}

/** Pair items from two arrays; stops at the shorter one. */
export function zip<A, B>(a: readonly A[], b: readonly B[]): Array<[A, B]> {
  const length = Math.min(a.length, b.length);
  const result: Array<[A, B]> = [];
  for (let i = 0; i < length; i++) {
    result.push([a[i], b[i]]);
  }
  return result;
}

/** Items in `a` that are not in `b`. */
export function difference<T>(a: readonly T[], b: readonly T[]): T[] {
  const exclude = new Set(b);
  return a.filter((item) => !exclude.has(item));
}

/** Items present in both arrays, in the order they appear in `a`. */
export function intersection<T>(a: readonly T[], b: readonly T[]): T[] {
  const include = new Set(b);
  return unique(a.filter((item) => include.has(item)));
}

/** Move one item to a new index, as in a drag-and-drop list. */
export function move<T>(items: readonly T[], from: number, to: number): T[] {
  const copy = [...items];
  if (from < 0 || from >= copy.length) {
    return copy;
  }
  const [item] = copy.splice(from, 1);
  copy.splice(Math.max(0, Math.min(to, copy.length)), 0, item);
  return copy;
}

/** Flatten one level of nesting. */
export function flatten<T>(items: ReadonlyArray<T | readonly T[]>): T[] {
  const result: T[] = [];
  for (const item of items) {
    if (Array.isArray(item)) {
      result.push(...(item as T[]));
    } else {
      result.push(item as T);
    }
  }
  return result;
}
