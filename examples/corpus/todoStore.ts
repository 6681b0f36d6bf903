/**
 * A small, framework-agnostic todo store.
 *
 * The store keeps its state in a plain object, exposes a handful of
 * actions, and notifies subscribers whenever the state changes. It can
 * be used on its own or wired into React with `useSyncExternalStore`.
 */

export type TodoId = string;

export type Priority = "low" | "normal" | "high";

export interface Todo {
  id: TodoId;
  title: string;
  done: boolean;
  priority: Priority;
  createdAt: number;
  completedAt?: number;
  tags: string[];
}

export type Filter = "all" | "active" | "completed";

export interface TodoState {
  todos: Todo[];
  filter: Filter;
}

type Listener = (state: TodoState) => void;

export interface TodoStore {
  getState(): TodoState;
  subscribe(listener: Listener): () => void;
  add(title: string, options?: { priority?: Priority; tags?: string[] }): Todo | null;
  toggle(id: TodoId): void;
  rename(id: TodoId, title: string): void;
  remove(id: TodoId): void;
  clearCompleted(): number;
  setFilter(filter: Filter): void;
  visible(): Todo[];
  stats(): { total: number; active: number; completed: number };
}

const PRIORITY_ORDER: Record<Priority, number> = {
  high: 0,
  normal: 1,
  low: 2,
};

// A tiny id generator: time-based prefix plus a counter. Good enough for
// a local store; use crypto.randomUUID() when ids must be globally unique.
let counter = 0;
function nextId(): TodoId {
  counter = (counter + 1) % 1_000_000;
  return `${Date.now().toString(36)}-${counter.toString(36)}`;
}

function normaliseTitle(title: string): string {
  return title.replace(/\s+/g, " ").trim();
}

export function createTodoStore(initial?: Partial<TodoState>): TodoStore {
  let state: TodoState = {
    todos: initial?.todos ? [...initial.todos] : [],
    filter: initial?.filter ?? "all",
  };
  const listeners = new Set<Listener>();

  // Every change goes through here so that listeners always see a new
  // object and can rely on reference equality to detect updates.
  function setState(next: TodoState): void {
    if (next === state) {
      return;
    }
    state = next;
    for (const listener of listeners) {
      listener(state);
    }
  }

  function updateTodo(id: TodoId, patch: (todo: Todo) => Todo): void {
    let changed = false;
    const todos = state.todos.map((todo) => {
      if (todo.id !== id) {
        return todo;
      }
      changed = true;
      return patch(todo);
    });
    if (changed) {
      setState({ ...state, todos });
    }
  }

  return {
    getState() {
      return state;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    add(title, options = {}) {
      const clean = normaliseTitle(title);
      if (clean.length === 0) {
        return null;
      }
      const todo: Todo = {
        id: nextId(),
        title: clean,
        done: false,
        priority: options.priority ?? "normal",
        createdAt: Date.now(),
        tags: options.tags ? [...new Set(options.tags)] : [],
      };
      setState({ ...state, todos: [...state.todos, todo] });
      return todo;
    },

    toggle(id) {
      updateTodo(id, (todo) => {
        const done = !todo.done;
        return {
          ...todo,
          done,
          completedAt: done ? Date.now() : undefined,
        };
      });
    },

    rename(id, title) {
      const clean = normaliseTitle(title);
      if (clean.length === 0) {
        // An empty title means the user cleared the field; treat it as delete.
        this.remove(id);
        return;
      }
      updateTodo(id, (todo) => ({ ...todo, title: clean }));
    },

    remove(id) {
      const todos = state.todos.filter((todo) => todo.id !== id);
      if (todos.length !== state.todos.length) {
        setState({ ...state, todos });
      }
    },

    clearCompleted() {
      const remaining = state.todos.filter((todo) => !todo.done);
      const removed = state.todos.length - remaining.length;
      if (removed > 0) {
        setState({ ...state, todos: remaining });
      }
      return removed;
    },

    setFilter(filter) {
      if (filter !== state.filter) {
        setState({ ...state, filter });
      }
    },

    visible() {
      const filtered = state.todos.filter((todo) => {
        switch (state.filter) {
          case "active":
            return !todo.done;
          case "completed":
            return todo.done;
          default:
            return true;
        }
      });
      // Unfinished items first, then by priority, then oldest first.
      return filtered.sort((a, b) => {
        if (a.done !== b.done) {
          return a.done ? 1 : -1;
        }
        const byPriority = PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority];
        if (byPriority !== 0) {
          return byPriority;
        }
        return a.createdAt - b.createdAt;
      });
    },

    stats() {
      const total = state.todos.length;
      const completed = state.todos.filter((todo) => todo.done).length;
      return { total, active: total - completed, completed };
    },
  };
}

/**
 * Persist the store to localStorage whenever it changes.
 * Returns a function that stops persisting.
 */
export function persistTodos(store: TodoStore, key = "todos:v1"): () => void {
  return store.subscribe((state) => {
    try {
      localStorage.setItem(key, JSON.stringify(state));
    } catch (error) {
      // Storage can be full or disabled in private windows; losing a save
      // is better than crashing the app.
      console.warn("Could not save todos", error);
    }
  });
}

export function loadTodos(key = "todos:v1"): Partial<TodoState> | undefined {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) {
      return undefined;
    }
    const parsed = JSON.parse(raw) as Partial<TodoState>;
    if (!Array.isArray(parsed.todos)) {
      return undefined;
    }
    return parsed;
  } catch {
    return undefined;
  }
}
