/** Single-quotes a value for bash, so that nothing in it is expanded. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const HEREDOC_END = "FITNESS_EOF";

/** The bash function every `writeFileBlock` calls: writes atomically with the given mode and owner. */
export const WRITE_FILE_FUNCTION: readonly string[] = [
  "write_file() { # path mode owner < content",
  '  install -d -m 0755 "$(dirname "$1")"',
  '  cat > "$1.fitness-new"',
  '  chown "$3" "$1.fitness-new"',
  '  chmod "$2" "$1.fitness-new"',
  '  mv -f "$1.fitness-new" "$1"',
  "}",
];

/**
 * A bash heredoc that writes `content` verbatim (quoted delimiter: no expansion) through `write_file`,
 * which the bootstrap defines. Text stays readable in the user-data, so a reviewer (or policy EC2-05)
 * can see that no secret is in it.
 */
export function writeFileBlock(path: string, mode: string, owner: string, content: string): string {
  const body = content.endsWith("\n") ? content : `${content}\n`;
  if (body.split("\n").includes(HEREDOC_END)) throw new Error(`file ${path}: allowed: content without a line "${HEREDOC_END}"`);
  return `write_file ${shQuote(path)} ${mode} ${shQuote(owner)} <<'${HEREDOC_END}'\n${body}${HEREDOC_END}`;
}
