/**
 * A small CSV parser and writer.
 *
 * Handles quoted fields, escaped quotes (""), commas and line breaks
 * inside quotes, CRLF or LF line endings, and an optional header row.
 * It reads the whole string in one pass with a simple state machine,
 * which is fast enough for files of a few megabytes.
 */

export interface ParseOptions {
  /** Field separator. Defaults to a comma; use "\t" for TSV. */
  delimiter?: string;
  /** Skip lines that are completely empty. Defaults to true. */
  skipEmptyLines?: boolean;
  /** Trim whitespace around unquoted fields. Defaults to false. */
  trim?: boolean;
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`);
    this.name = "CsvError";
  }
}

/** Parse CSV text into an array of rows, each an array of strings. */
export function parseRows(text: string, options: ParseOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ",";
  const skipEmpty = options.skipEmptyLines ?? true;
  const trim = options.trim ?? false;

  if (delimiter.length !== 1 || delimiter === '"') {
    throw new Error("Delimiter must be a single character other than a quote");
  }

  // Strip a byte order mark, which some spreadsheet programs add.
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }

  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let inQuotes = false;
  let wasQuoted = false;
  let line = 1;

  const endField = () => {
    row.push(trim && !wasQuoted ? field.trim() : field);
    field = "";
    wasQuoted = false;
  };

  const endRow = () => {
    endField();
    const isEmpty = row.length === 1 && row[0] === "";
    if (!(skipEmpty && isEmpty)) {
      rows.push(row);
    }
    row = [];
  };

  for (let i = 0; i < text.length; i++) {
    const ch = text[i];

    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          // A doubled quote inside a quoted field is a literal quote.
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === "\n") {
          line++;
        }
        field += ch;
      }
      continue;
    }

    if (ch === '"') {
      if (field.trim().length > 0) {
        throw new CsvError("Unexpected quote in the middle of a field", line);
      }
      field = "";
      inQuotes = true;
      wasQuoted = true;
    } else if (ch === delimiter) {
      endField();
    } else if (ch === "\r") {
      // Treat CRLF as a single line break; a lone CR also ends the row.
      if (text[i + 1] === "\n") {
        i++;
      }
      endRow();
      line++;
    } else if (ch === "\n") {
      endRow();
      line++;
    } else {
      field += ch;
    }
  }

  if (inQuotes) {
    throw new CsvError("Unterminated quoted field", line);
  }
  // The last row may not end with a newline.
  if (field.length > 0 || row.length > 0) {
    endRow();
  }
  return rows;
}

/**
 * Parse CSV with a header row into objects. Missing trailing cells
 * become empty strings; extra cells are collected under "_extra".
 */
export function parseObjects(
  text: string,
  options: ParseOptions = {},
): Array<Record<string, string>> {
  const [header, ...body] = parseRows(text, options);
  if (!header) {
    return [];
  }
  const names = header.map((name, index) => name.trim() || `column${index + 1}`);
  return body.map((cells) => {
    const record: Record<string, string> = {};
    names.forEach((name, index) => {
      record[name] = cells[index] ?? "";
    });
    if (cells.length > names.length) {
      record._extra = cells.slice(names.length).join(options.delimiter ?? ",");
    }
    return record;
  });
}

/** Quote a field only when it needs it. */
export function escapeField(value: unknown, delimiter = ","): string {
  if (value === null || value === undefined) {
    return "";
  }
  const text = value instanceof Date ? value.toISOString() : String(value);
  const needsQuotes =
    text.includes(delimiter) ||
    text.includes('"') ||
    text.includes("\n") ||
    text.includes("\r") ||
    text !== text.trim();
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Write rows back to CSV text with CRLF line endings. */
export function stringifyRows(rows: readonly unknown[][], delimiter = ","): string {
  return rows
    .map((cells) => cells.map((cell) => escapeField(cell, delimiter)).join(delimiter))
    .join("\r\n");
}

/** Write objects to CSV, using the given columns or the keys of the first object. */
export function stringifyObjects<T extends Record<string, unknown>>(
  records: readonly T[],
  columns?: Array<keyof T & string>,
): string {
  if (records.length === 0) {
    return columns ? stringifyRows([columns]) : "";
  }
  const keys = columns ?? (Object.keys(records[0]) as Array<keyof T & string>);
  const rows: unknown[][] = [keys, ...records.map((record) => keys.map((key) => record[key]))];
  return stringifyRows(rows);
}

// Example:
//
//   const text = 'name,city\n"Penhallow, M.",Saltmere\nJory,"St ""Ives"""\n';
//   parseObjects(text);
//   // [ { name: "Penhallow, M.", city: "Saltmere" },
//   //   { name: "Jory", city: 'St "Ives"' } ]
