import React, { useId, useMemo, useState } from "react";

/**
 * A small, accessible signup form.
 *
 * It validates on blur and on submit, shows errors next to the fields
 * that caused them, disables the button while submitting, and announces
 * the result to screen readers through a live region.
 */

export interface SignupValues {
  name: string;
  email: string;
  password: string;
  acceptTerms: boolean;
}

type Field = keyof SignupValues;
type Errors = Partial<Record<Field, string>>;

export interface SignupFormProps {
  onSubmit: (values: SignupValues) => Promise<void>;
  initialEmail?: string;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validate(values: SignupValues): Errors {
  const errors: Errors = {};
  if (values.name.trim().length < 2) {
    errors.name = "Please enter your name.";
  }
  if (!EMAIL_PATTERN.test(values.email.trim())) {
    errors.email = "That doesn't look like an email address.";
  }
  if (values.password.length < 10) {
    errors.password = "Use at least 10 characters.";
  } else if (!/[0-9]/.test(values.password) || !/[a-zA-Z]/.test(values.password)) {
    errors.password = "Mix letters and numbers.";
  }
  if (!values.acceptTerms) {
    errors.acceptTerms = "You need to accept the terms to continue.";
  }
  return errors;
}

/** A rough strength score from 0 to 4, for the meter under the password. */
export function passwordStrength(password: string): number {
  let score = 0;
  if (password.length >= 10) score++;
  if (password.length >= 14) score++;
  if (/[A-Z]/.test(password) && /[a-z]/.test(password)) score++;
  if (/[^A-Za-z0-9]/.test(password)) score++;
  return score;
}

const STRENGTH_LABELS = ["Very weak", "Weak", "Fair", "Good", "Strong"];

export function SignupForm({ onSubmit, initialEmail = "" }: SignupFormProps) {
  const formId = useId();
  const [values, setValues] = useState<SignupValues>({
    name: "",
    email: initialEmail,
    password: "",
    acceptTerms: false,
  });
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [status, setStatus] = useState<"idle" | "submitting" | "done" | "failed">("idle");
  const [serverMessage, setServerMessage] = useState("");

  const errors = useMemo(() => validate(values), [values]);
  const strength = passwordStrength(values.password);

  function update<K extends Field>(field: K, value: SignupValues[K]) {
    setValues((previous) => ({ ...previous, [field]: value }));
  }

  function fieldError(field: Field): string | undefined {
    return touched[field] ? errors[field] : undefined;
  }

  async function handleSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setTouched({ name: true, email: true, password: true, acceptTerms: true });
    if (Object.keys(errors).length > 0) {
      // Move focus to the first invalid field so keyboard users land on it.
      const first = Object.keys(errors)[0];
      document.getElementById(`${formId}-${first}`)?.focus();
      return;
    }
    setStatus("submitting");
    setServerMessage("");
    try {
      await onSubmit({ ...values, name: values.name.trim(), email: values.email.trim() });
      setStatus("done");
      setServerMessage("Thanks! Check your inbox to confirm your address.");
    } catch (error) {
      setStatus("failed");
      setServerMessage(
        error instanceof Error ? error.message : "Something went wrong. Please try again.",
      );
    }
  }

  if (status === "done") {
    return (
      <p role="status" className="signup-success">
        {serverMessage}
      </p>
    );
  }

  return (
    <form className="signup" noValidate onSubmit={handleSubmit}>
      <div className="field">
        <label htmlFor={`${formId}-name`}>Name</label>
        <input
          id={`${formId}-name`}
          autoComplete="name"
          value={values.name}
          onChange={(e) => update("name", e.target.value)}
          onBlur={() => setTouched((t) => ({ ...t, name: true }))}
          aria-invalid={Boolean(fieldError("name"))}
          aria-describedby={fieldError("name") ? `${formId}-name-error` : undefined}
        />
        {fieldError("name") && (
          <span id={`${formId}-name-error`} className="error">
            {fieldError("name")}
          </span>
        )}
      </div>

      <div className="field">
        <label htmlFor={`${formId}-email`}>Email</label>
        <input
          id={`${formId}-email`}
          type="email"
          autoComplete="email"
          value={values.email}
          onChange={(e) => update("email", e.target.value)}
          onBlur={() => setTouched((t) => ({ ...t, email: true }))}
          aria-invalid={Boolean(fieldError("email"))}
          aria-describedby={fieldError("email") ? `${formId}-email-error` : undefined}
        />
        {fieldError("email") && (
          <span id={`${formId}-email-error`} className="error">
            {fieldError("email")}
          </span>
        )}
      </div>

      <div className="field">
        <label htmlFor={`${formId}-password`}>Password</label>
        <input
          id={`${formId}-password`}
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={(e) => update("password", e.target.value)}
          onBlur={() => setTouched((t) => ({ ...t, password: true }))}
          aria-invalid={Boolean(fieldError("password"))}
          aria-describedby={`${formId}-password-hint`}
        />
        <meter min={0} max={4} value={strength} aria-hidden="true" />
        <span id={`${formId}-password-hint`} className="hint">
          {fieldError("password") ?? STRENGTH_LABELS[strength]}
        </span>
      </div>

      <div className="field checkbox">
        <input
          id={`${formId}-acceptTerms`}
          type="checkbox"
          checked={values.acceptTerms}
          onChange={(e) => update("acceptTerms", e.target.checked)}
          onBlur={() => setTouched((t) => ({ ...t, acceptTerms: true }))}
        />
        <label htmlFor={`${formId}-acceptTerms`}>I accept the terms of use</label>
        {fieldError("acceptTerms") && <span className="error">{fieldError("acceptTerms")}</span>}
      </div>

      <button type="submit" disabled={status === "submitting"}>
        {status === "submitting" ? "Creating account..." : "Create account"}
      </button>

      <p role="status" aria-live="polite" className="server-message">
        {status === "failed" ? serverMessage : ""}
      </p>
    </form>
  );
}

export default SignupForm;
