/**
 * Escaping for every user-controlled string (resource names, URNs, messages quoting them, property
 * values) that a Markdown or HTML report shows. Reports build their own lines; what a user controls
 * must never start a line, close a code span, open a tag or a link: a resource named
 * "x\n# ✅ Audit passed" must not plant a heading.
 */

/** Every line terminator Markdown, HTML or an editor honours: CR, LF, NEL, LS, PS, and the other controls. */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** One line, no control characters: for plain-text reports too. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, " ").replace(CONTROLS, "");
}

/**
 * Inline Markdown text (also inside table cells): no line break, no HTML, no link, no code span, no
 * strong emphasis, no cell boundary. Underscores stay as they are (`CKV_AWS_53`): GitHub ignores them
 * inside words, and they cannot break out of the line.
 */
export function mdText(text: string): string {
  return oneLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*[\]|])/g, "\\$1");
}

/** A table cell that may hold the report's own code spans: one line, no cell boundary, no HTML tag. */
export function mdCell(text: string): string {
  return oneLine(text).replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|");
}

/** A code span: no line break, no backtick to close it early, pipes escaped for tables. */
export function mdCode(text: string): string {
  return `\`${oneLine(text).replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}
