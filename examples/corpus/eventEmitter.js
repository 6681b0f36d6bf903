// A small event emitter for the browser or Node, with no dependencies.
//
// Supports on/off/once, wildcard listeners that receive every event,
// and a promise-based `waitFor` for tests and simple sequencing.

"use strict";

const WILDCARD = "*";

class EventEmitter {
  constructor() {
    // Map of event name -> array of { fn, once } records. An array keeps
    // listeners in the order they were added, which callers expect.
    this._listeners = new Map();
    this._maxListeners = 20;
  }

  /**
   * Register a listener. Returns a function that removes it again,
   * which is often tidier than keeping a reference for `off`.
   */
  on(event, fn) {
    return this._add(event, fn, false);
  }

  /** Register a listener that runs at most once. */
  once(event, fn) {
    return this._add(event, fn, true);
  }

  /** Remove a listener. Without `fn`, removes every listener for the event. */
  off(event, fn) {
    const list = this._listeners.get(event);
    if (!list) {
      return this;
    }
    if (fn === undefined) {
      this._listeners.delete(event);
      return this;
    }
    const index = list.findIndex((entry) => entry.fn === fn);
    if (index !== -1) {
      list.splice(index, 1);
    }
    if (list.length === 0) {
      this._listeners.delete(event);
    }
    return this;
  }

  /**
   * Call every listener for `event` with the given arguments.
   * Returns true if at least one listener ran.
   */
  emit(event, ...args) {
    const direct = this._listeners.get(event) || [];
    const wild = event === WILDCARD ? [] : this._listeners.get(WILDCARD) || [];
    if (direct.length === 0 && wild.length === 0) {
      return false;
    }

    // Copy before iterating: a listener may add or remove listeners, and
    // those changes should apply to the next emit, not this one.
    for (const entry of [...direct]) {
      if (entry.once) {
        this.off(event, entry.fn);
      }
      this._call(entry.fn, args, event);
    }
    for (const entry of [...wild]) {
      if (entry.once) {
        this.off(WILDCARD, entry.fn);
      }
      this._call(entry.fn, [event, ...args], event);
    }
    return true;
  }

  /**
   * Resolve with the arguments of the next `event`, or reject after
   * `timeoutMs` if it never arrives.
   */
  waitFor(event, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`Timed out waiting for "${event}"`));
      }, timeoutMs);
      const remove = this.once(event, (...args) => {
        clearTimeout(timer);
        resolve(args.length <= 1 ? args[0] : args);
      });
    });
  }

  listenerCount(event) {
    const list = this._listeners.get(event);
    return list ? list.length : 0;
  }

  eventNames() {
    return [...this._listeners.keys()];
  }

  setMaxListeners(n) {
    this._maxListeners = n;
    return this;
  }

  removeAllListeners() {
    this._listeners.clear();
    return this;
  }

  _add(event, fn, once) {
    if (typeof fn !== "function") {
      throw new TypeError("Listener must be a function");
    }
    let list = this._listeners.get(event);
    if (!list) {
      list = [];
      this._listeners.set(event, list);
    }
    list.push({ fn, once });
    if (list.length === this._maxListeners + 1) {
      // Usually a sign that something subscribes on every render or
      // request and never unsubscribes.
      console.warn(
        `EventEmitter: ${list.length} listeners for "${String(event)}". Possible leak?`,
      );
    }
    return () => this.off(event, fn);
  }

  _call(fn, args, event) {
    try {
      fn.apply(this, args);
    } catch (error) {
      // One faulty listener should not stop the others from running.
      if (event !== "error" && this.listenerCount("error") > 0) {
        this.emit("error", error);
      } else {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }
}

// Example usage:
//
//   const bus = new EventEmitter();
//   const stop = bus.on("saved", (doc) => console.log("saved", doc.id));
//   bus.once("closed", () => console.log("bye"));
//   bus.on("*", (name, ...args) => console.debug("event", name, args));
//
//   bus.emit("saved", { id: 42 });
//   stop();
//   await bus.waitFor("closed", 1000);

module.exports = { EventEmitter, WILDCARD };
