import { describe, expect, it, vi, beforeEach, afterEach } from "vitest";
import { chunk, groupBy, median, move, partition, range, sortBy, desc, unique } from "./arrayHelpers";
import { parseObjects, parseRows, stringifyRows } from "./csvParser";
import { formatDuration, formatRelative, formatShortDate, formatTime } from "./formatDate";
import { createTodoStore } from "./todoStore";
import { fetchWithRetry, HttpError } from "./fetchWithRetry";
import { slugify, truncateWords, wordCount } from "./textUtils";

// These tests double as examples of how each module is meant to be used.

describe("arrayHelpers", () => {
  it("splits an array into chunks", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it("rejects a chunk size of zero", () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  it("keeps the first of each duplicate", () => {
    const loaves = [
      { id: 1, name: "rye" },
      { id: 2, name: "white" },
      { id: 3, name: "rye" },
    ];
    expect(unique(loaves, (l) => l.name).map((l) => l.id)).toEqual([1, 2]);
  });

  it("groups and partitions", () => {
    const words = ["apple", "avocado", "banana", "blueberry", "cherry"];
    expect(groupBy(words, (w) => w[0])).toEqual({
      a: ["apple", "avocado"],
      b: ["banana", "blueberry"],
      c: ["cherry"],
    });
    const [short, long] = partition(words, (w) => w.length <= 6);
    expect(short).toEqual(["apple", "banana", "cherry"]);
    expect(long).toEqual(["avocado", "blueberry"]);
  });

  it("sorts by several keys", () => {
    const people = [
      { name: "Nell", age: 29 },
      { name: "Tom", age: 31 },
      { name: "Ada", age: 31 },
    ];
    const sorted = sortBy(people, desc((p) => p.age), (p) => p.name);
    expect(sorted.map((p) => p.name)).toEqual(["Ada", "Tom", "Nell"]);
    // The original array is left alone.
    expect(people[0].name).toBe("Nell");
  });

  it("computes a median and builds ranges", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(range(4)).toEqual([0, 1, 2, 3]);
    expect(range(10, 0, -5)).toEqual([10, 5]);
  });

  it("moves an item within a list", () => {
    expect(move(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
  });
});

describe("csvParser", () => {
  it("handles quotes, commas and newlines inside fields", () => {
    const text = 'item,notes\r\nflour,"strong, white"\r\nbutter,"cold\nbut pliable"\r\n';
    expect(parseRows(text)).toEqual([
      ["item", "notes"],
      ["flour", "strong, white"],
      ["butter", "cold\nbut pliable"],
    ]);
  });

  it("turns a header row into object keys", () => {
    const records = parseObjects("day,loaves\nMon,64\nSat,112");
    expect(records).toEqual([
      { day: "Mon", loaves: "64" },
      { day: "Sat", loaves: "112" },
    ]);
  });

  it("round-trips through stringify", () => {
    const rows = [["a", 'say "hi"'], ["b", "x,y"]];
    expect(parseRows(stringifyRows(rows))).toEqual(rows);
  });

  it("reports an unterminated quote", () => {
    expect(() => parseRows('a,"oops\nb,c')).toThrow(/Unterminated/);
  });
});

describe("formatDate", () => {
  const now = new Date(2024, 2, 7, 14, 5, 0); // 7 March 2024, 14:05 local time

  it("formats dates and times", () => {
    expect(formatShortDate(now)).toBe("7 Mar 2024");
    expect(formatShortDate(now, { weekday: true })).toBe("Thu 7 Mar 2024");
    expect(formatTime(now)).toBe("14:05");
    expect(formatTime(now, true)).toBe("2:05 pm");
  });

  it("describes relative times", () => {
    expect(formatRelative(now.getTime() - 10_000, now)).toBe("just now");
    expect(formatRelative(now.getTime() - 5 * 60_000, now)).toBe("5 minutes ago");
    expect(formatRelative(new Date(2024, 2, 6, 23, 0), now)).toBe("yesterday");
    expect(formatRelative(new Date(2024, 2, 10, 9, 0), now)).toBe("in 3 days");
  });

  it("formats durations", () => {
    expect(formatDuration(9_000)).toBe("9s");
    expect(formatDuration(249_000)).toBe("4m 09s");
    expect(formatDuration(3_849_000)).toBe("1h 04m 09s");
  });
});

describe("todoStore", () => {
  it("adds, toggles and filters todos", () => {
    const store = createTodoStore();
    const listener = vi.fn();
    store.subscribe(listener);

    const bread = store.add("  Buy   flour ");
    store.add("Feed the starter", { priority: "high" });
    expect(bread?.title).toBe("Buy flour");
    expect(store.add("   ")).toBeNull();

    store.toggle(bread!.id);
    expect(store.stats()).toEqual({ total: 2, active: 1, completed: 1 });

    store.setFilter("active");
    expect(store.visible().map((t) => t.title)).toEqual(["Feed the starter"]);

    expect(store.clearCompleted()).toBe(1);
    expect(listener).toHaveBeenCalledTimes(5);
  });
});

describe("fetchWithRetry", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("retries a 503 and then succeeds", async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response("busy", { status: 503 }))
      .mockResolvedValueOnce(new Response("ok", { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);

    const pending = fetchWithRetry("/api/loaves", {}, { baseDelayMs: 10 });
    await vi.runAllTimersAsync();
    const response = await pending;

    expect(await response.text()).toBe("ok");
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("does not retry a 404", async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response("missing", { status: 404 }));
    vi.stubGlobal("fetch", fetchMock);

    await expect(fetchWithRetry("/api/nothing")).rejects.toBeInstanceOf(HttpError);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

describe("textUtils", () => {
  it("makes URL-friendly slugs", () => {
    expect(slugify("A Week in Saltmere!")).toBe("a-week-in-saltmere");
    expect(slugify("Crème brûlée & tea")).toBe("creme-brulee-and-tea");
  });

  it("counts and truncates words", () => {
    expect(wordCount("The kettle began to whistle.")).toBe(5);
    expect(truncateWords("one two three four five", 3)).toBe("one two three…");
  });
});
