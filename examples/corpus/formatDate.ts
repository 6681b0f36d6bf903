/**
 * Date formatting helpers with no external dependencies.
 *
 * These cover the small set of formats most interfaces need: a short
 * calendar date, a clock time, an ISO-style day key for grouping, and a
 * friendly "3 hours ago" style relative time.
 */

const MONTHS_SHORT = [
  "Jan", "Feb", "Mar", "Apr", "May", "Jun",
  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const WEEKDAYS_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export type DateInput = Date | number | string;

/** Convert any accepted input into a Date, throwing on invalid values. */
export function toDate(input: DateInput): Date {
  const date = input instanceof Date ? new Date(input.getTime()) : new Date(input);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Invalid date: ${String(input)}`);
  }
  return date;
}

/** Left-pad a number with zeros to the given width. */
export function pad(value: number, width = 2): string {
  return String(Math.trunc(Math.abs(value))).padStart(width, "0");
}

/** "2024-03-07", in local time. Handy as a key for grouping by day. */
export function dayKey(input: DateInput): string {
  const d = toDate(input);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "7 Mar 2024", or "Thu 7 Mar 2024" with the weekday option. */
export function formatShortDate(
  input: DateInput,
  options: { weekday?: boolean; year?: boolean } = {},
): string {
  const d = toDate(input);
  const parts: string[] = [];
  if (options.weekday) {
    parts.push(WEEKDAYS_SHORT[d.getDay()]);
  }
  parts.push(String(d.getDate()), MONTHS_SHORT[d.getMonth()]);
  if (options.year !== false) {
    parts.push(String(d.getFullYear()));
  }
  return parts.join(" ");
}

/** "14:05" or "2:05 pm". */
export function formatTime(input: DateInput, hour12 = false): string {
  const d = toDate(input);
  const minutes = pad(d.getMinutes());
  if (!hour12) {
    return `${pad(d.getHours())}:${minutes}`;
  }
  const hours = d.getHours() % 12 || 12;
  const suffix = d.getHours() < 12 ? "am" : "pm";
  return `${hours}:${minutes} ${suffix}`;
}

/** True when both inputs fall on the same local calendar day. */
export function isSameDay(a: DateInput, b: DateInput): boolean {
  return dayKey(a) === dayKey(b);
}

/** Start of the local day containing the input. */
export function startOfDay(input: DateInput): Date {
  const d = toDate(input);
  d.setHours(0, 0, 0, 0);
  return d;
}

/** Add a whole number of days, keeping the local clock time. */
export function addDays(input: DateInput, days: number): Date {
  const d = toDate(input);
  d.setDate(d.getDate() + days);
  return d;
}

/**
 * A friendly relative time, such as "just now", "5 minutes ago",
 * "yesterday" or "in 3 days". Beyond four weeks it falls back to a
 * short calendar date, which is easier to read than "14 weeks ago".
 */
export function formatRelative(input: DateInput, now: DateInput = Date.now()): string {
  const then = toDate(input);
  const current = toDate(now);
  const diff = current.getTime() - then.getTime();
  const future = diff < 0;
  const abs = Math.abs(diff);

  const phrase = (count: number, unit: string): string => {
    const label = count === 1 ? unit : `${unit}s`;
    return future ? `in ${count} ${label}` : `${count} ${label} ago`;
  };

  if (abs < 45 * 1000) {
    return "just now";
  }
  if (abs < HOUR) {
    return phrase(Math.round(abs / MINUTE), "minute");
  }
  if (abs < DAY && isSameDay(then, current)) {
    return phrase(Math.round(abs / HOUR), "hour");
  }

  // Compare calendar days rather than raw hours, so that 11pm yesterday
  // viewed at 1am today still reads as "yesterday".
  const dayDiff = Math.round(
    (startOfDay(current).getTime() - startOfDay(then).getTime()) / DAY,
  );
  if (dayDiff === 1) {
    return "yesterday";
  }
  if (dayDiff === -1) {
    return "tomorrow";
  }
  if (Math.abs(dayDiff) < 7) {
    return phrase(Math.abs(dayDiff), "day");
  }
  if (abs < 4 * WEEK) {
    return phrase(Math.round(abs / WEEK), "week");
  }
  return formatShortDate(then, { year: then.getFullYear() !== current.getFullYear() });
}

/** Format a duration in milliseconds as "1h 04m 09s" or "4m 09s". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) {
    return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  }
  if (minutes > 0) {
    return `${minutes}m ${pad(seconds)}s`;
  }
  return `${seconds}s`;
}
