import React, { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { createTodoStore, loadTodos, persistTodos, type Filter, type Todo, type TodoStore } from "./todoStore";

/**
 * A todo list UI built on the framework-agnostic store in todoStore.ts.
 *
 * The store lives outside React. `useSyncExternalStore` subscribes to it
 * and re-renders whenever its state object changes.
 */

const store: TodoStore = createTodoStore(loadTodos());
persistTodos(store);

function useTodoState() {
  return useSyncExternalStore(store.subscribe, store.getState);
}

const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: "all", label: "All" },
  { value: "active", label: "To do" },
  { value: "completed", label: "Done" },
];

export function TodoList() {
  const state = useTodoState();
  const [draft, setDraft] = useState("");
  const visible = store.visible();
  const { active, completed } = store.stats();

  function handleAdd(event: React.FormEvent) {
    event.preventDefault();
    if (store.add(draft)) {
      setDraft("");
    }
  }

  return (
    <section className="todos">
      <form onSubmit={handleAdd} className="todos-new">
        <input
          aria-label="New task"
          placeholder="What needs doing?"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" disabled={draft.trim() === ""}>
          Add
        </button>
      </form>

      <nav className="todos-filters" aria-label="Filter tasks">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            aria-pressed={state.filter === f.value}
            onClick={() => store.setFilter(f.value)}
          >
            {f.label}
          </button>
        ))}
      </nav>

      {visible.length === 0 ? (
        <p className="todos-empty">Nothing here. Enjoy the quiet.</p>
      ) : (
        <ul className="todos-items">
          {visible.map((todo) => (
            <TodoItem key={todo.id} todo={todo} />
          ))}
        </ul>
      )}

      <footer className="todos-footer">
        <span>
          {active} left, {completed} done
        </span>
        {completed > 0 && (
          <button type="button" onClick={() => store.clearCompleted()}>
            Clear done
          </button>
        )}
      </footer>
    </section>
  );
}

function TodoItem({ todo }: { todo: Todo }) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(todo.title);
  const inputRef = useRef<HTMLInputElement>(null);

  // Focus and select the text as soon as editing starts.
  useEffect(() => {
    if (editing) {
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  }, [editing]);

  const commit = useCallback(() => {
    setEditing(false);
    if (title !== todo.title) {
      store.rename(todo.id, title);
    }
  }, [title, todo.id, todo.title]);

  function handleKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      commit();
    } else if (event.key === "Escape") {
      // Escape abandons the edit and restores the original title.
      setTitle(todo.title);
      setEditing(false);
    }
  }

  return (
    <li className={`todo todo-${todo.priority}${todo.done ? " todo-done" : ""}`}>
      <input
        type="checkbox"
        checked={todo.done}
        onChange={() => store.toggle(todo.id)}
        aria-label={todo.done ? `Mark "${todo.title}" as not done` : `Mark "${todo.title}" as done`}
      />
      {editing ? (
        <input
          ref={inputRef}
          className="todo-edit"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          onBlur={commit}
          onKeyDown={handleKeyDown}
        />
      ) : (
        <span className="todo-title" onDoubleClick={() => setEditing(true)}>
          {todo.title}
        </span>
      )}
      {todo.tags.length > 0 && (
        <span className="todo-tags">
          {todo.tags.map((tag) => (
            <span key={tag} className="tag">
              #{tag}
            </span>
          ))}
        </span>
      )}
      <button
        type="button"
        className="todo-remove"
        aria-label={`Delete "${todo.title}"`}
        onClick={() => store.remove(todo.id)}
      >
        ×
      </button>
    </li>
  );
}

export default TodoList;
