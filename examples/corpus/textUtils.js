// Text helpers for titles, previews and URLs.
// Plain JavaScript with JSDoc types, so editors can still offer hints.

"use strict";

/**
 * Turn any title into a lowercase, hyphenated slug suitable for a URL.
 * Accents are removed, "&" becomes "and", and runs of anything that is
 * not a letter or digit collapse into a single hyphen.
 *
 * @param {string} text
 * @param {{ maxLength?: number }} [options]
 * @returns {string}
 */
function slugify(text, options = {}) {
  const maxLength = options.maxLength ?? 80;
  const slug = String(text)
    .normalize("NFD")
    // Combining marks are what is left of accents after NFD normalisation.
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= maxLength) {
    return slug;
  }
  // Cut at a hyphen where possible, so we don't end halfway through a word.
  const cut = slug.slice(0, maxLength);
  const lastHyphen = cut.lastIndexOf("-");
  return lastHyphen > maxLength / 2 ? cut.slice(0, lastHyphen) : cut;
}

/**
 * Count words, treating any run of non-space characters as one word.
 *
 * @param {string} text
 * @returns {number}
 */
function wordCount(text) {
  const trimmed = String(text).trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/**
 * Estimated reading time in whole minutes, at roughly 220 words a minute.
 *
 * @param {string} text
 * @param {number} [wordsPerMinute]
 * @returns {number}
 */
function readingTime(text, wordsPerMinute = 220) {
  return Math.max(1, Math.round(wordCount(text) / wordsPerMinute));
}

/**
 * Keep the first `limit` words and add an ellipsis if anything was cut.
 *
 * @param {string} text
 * @param {number} limit
 * @returns {string}
 */
function truncateWords(text, limit) {
  const words = String(text).trim().split(/\s+/);
  if (words.length <= limit) {
    return words.join(" ");
  }
  // Drop trailing punctuation from the last kept word before the ellipsis.
  const kept = words.slice(0, limit).join(" ").replace(/[,.;:!?]+$/, "");
  return `${kept}\u2026`;
}

/**
 * Capitalise the first letter of each word, leaving short joining words
 * in lowercase unless they start the title.
 *
 * @param {string} text
 * @returns {string}
 */
function titleCase(text) {
  const small = new Set(["a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"]);
  return String(text)
    .toLowerCase()
    .split(" ")
    .map((word, index) => {
      if (index > 0 && small.has(word)) {
        return word;
      }
      return word.charAt(0).toUpperCase() + word.slice(1);
    })
    .join(" ");
}

/**
 * Escape the five characters that matter when inserting text into HTML.
 *
 * @param {string} text
 * @returns {string}
 */
function escapeHtml(text) {
  const map = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  return String(text).replace(/[&<>"']/g, (ch) => map[ch]);
}

/**
 * Pluralise a simple English noun with a count.
 * pluralise(1, "loaf", "loaves") -> "1 loaf"
 * pluralise(3, "bun") -> "3 buns"
 *
 * @param {number} count
 * @param {string} singular
 * @param {string} [plural]
 * @returns {string}
 */
function pluralise(count, singular, plural) {
  const word = count === 1 ? singular : plural ?? `${singular}s`;
  return `${count} ${word}`;
}

module.exports = { slugify, wordCount, readingTime, truncateWords, titleCase, escapeHtml, pluralise };
