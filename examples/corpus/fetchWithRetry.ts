/**
 * A thin wrapper around fetch that adds timeouts, retries with
 * exponential backoff, and typed JSON helpers.
 *
 * Only failures that are likely to be temporary are retried: network
 * errors, timeouts, 408, 429 and 5xx responses. A 404 or a 400 will not
 * get better by asking again, so those fail immediately.
 */

export interface RetryOptions {
  /** Total attempts, including the first. Defaults to 3. */
  attempts?: number;
  /** Delay before the first retry, in milliseconds. Defaults to 300. */
  baseDelayMs?: number;
  /** Upper bound for any single delay. Defaults to 5000. */
  maxDelayMs?: number;
  /** Abort a single attempt after this many milliseconds. Defaults to 10000. */
  timeoutMs?: number;
  /** Called before each retry; useful for logging. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** An outer signal that cancels every attempt. */
  signal?: AbortSignal;
}

export class HttpError extends Error {
  readonly status: number;
  readonly url: string;
  readonly body: string;

  constructor(status: number, url: string, body: string) {
    super(`Request to ${url} failed with status ${status}`);
    this.name = "HttpError";
    this.status = status;
    this.url = url;
    this.body = body;
  }
}

export class TimeoutError extends Error {
  constructor(url: string, timeoutMs: number) {
    super(`Request to ${url} timed out after ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException("Aborted", "AbortError"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException("Aborted", "AbortError"));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Exponential backoff with "full jitter": pick a random delay between
 * zero and the exponential cap. Jitter stops many clients that failed at
 * the same moment from all retrying at the same moment too.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(Math.random() * cap);
}

/** Read a Retry-After header given either in seconds or as a date. */
function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get("Retry-After");
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export async function fetchWithRetry(
  url: string,
  init: RequestInit = {},
  options: RetryOptions = {},
): Promise<Response> {
  const {
    attempts = 3,
    baseDelayMs = 300,
    maxDelayMs = 5000,
    timeoutMs = 10_000,
    onRetry,
    signal,
  } = options;

  let lastError: unknown;

  for (let attempt = 1; attempt <= attempts; attempt++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort("timeout"), timeoutMs);
    const forwardAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", forwardAbort, { once: true });

    let reason = "";
    let serverDelay: number | undefined;

    try {
      const response = await fetch(url, { ...init, signal: controller.signal });
      if (response.ok) {
        return response;
      }
      const body = await response.text().catch(() => "");
      lastError = new HttpError(response.status, url, body);
      if (!RETRYABLE_STATUS.has(response.status)) {
        throw lastError;
      }
      reason = `status ${response.status}`;
      serverDelay = retryAfterMs(response);
    } catch (error) {
      if (error instanceof HttpError) {
        throw error;
      }
      if (signal?.aborted) {
        // The caller cancelled; do not retry.
        throw error;
      }
      if (controller.signal.reason === "timeout") {
        lastError = new TimeoutError(url, timeoutMs);
        reason = "timeout";
      } else {
        lastError = error;
        reason = error instanceof Error ? error.message : "network error";
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forwardAbort);
    }

    if (attempt < attempts) {
      const delayMs = Math.min(
        maxDelayMs,
        serverDelay ?? backoffDelay(attempt, baseDelayMs, maxDelayMs),
      );
      onRetry?.({ attempt, delayMs, reason });
      await sleep(delayMs, signal);
    }
  }

  throw lastError;
}

/** Fetch and parse JSON, with the same retry behaviour. */
export async function getJson<T>(url: string, options?: RetryOptions): Promise<T> {
  const response = await fetchWithRetry(
    url,
    { headers: { Accept: "application/json" } },
    options,
  );
  return (await response.json()) as T;
}

/**
 * POST a JSON body. Retries are switched off by default, because
 * repeating a POST can create duplicates unless the server supports an
 * idempotency key. Pass one to opt back in.
 */
export async function postJson<T>(
  url: string,
  body: unknown,
  options: RetryOptions & { idempotencyKey?: string } = {},
): Promise<T> {
  const { idempotencyKey, ...retry } = options;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/json",
  };
  if (idempotencyKey) {
    headers["Idempotency-Key"] = idempotencyKey;
  }
  const response = await fetchWithRetry(
    url,
    { method: "POST", headers, body: JSON.stringify(body) },
    { ...retry, attempts: idempotencyKey ? retry.attempts ?? 3 : 1 },
  );
  return (await response.json()) as T;
}
