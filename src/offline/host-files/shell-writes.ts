/**
 * Files a bash script writes from here-documents, read out of the script text: `write_file PATH MODE
 * OWNER <<'END'` (the bootstraps' shell function: install -d, cat, chown, chmod, mv) and
 * `cat > PATH <<'END'` (mode from the script's `umask`, owner the user running it: root for user-data
 * and Run Command). Only literal paths count: a path with an expansion is decided at run time.
 */
export interface WrittenFile {
  readonly path: string;
  readonly mode: string;
  readonly owner: string;
  readonly content: string;
  /** The here-document is unquoted: the shell expands `$...` in it when the script runs. */
  readonly expanded: boolean;
}

/** Shell words of one simple command line: bare, '...' and "..." (no expansion inside); undefined when not literal. */
export function shellWords(line: string): (string | undefined)[] {
  const words: (string | undefined)[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    let word = "";
    let literal = true;
    while (i < line.length && !/\s/.test(line[i] as string)) {
      const c = line[i] as string;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return [...words, undefined];
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        const end = line.indexOf('"', i + 1);
        if (end < 0) return [...words, undefined];
        const inner = line.slice(i + 1, end);
        if (/[$`\\]/.test(inner)) literal = false;
        word += inner;
        i = end + 1;
      } else if (c === "\\" && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        if (c === "$" || c === "`" || c === "*" || c === "?") literal = false;
        word += c;
        i++;
      }
    }
    words.push(literal ? word : undefined);
  }
  return words;
}

interface Heredoc {
  readonly delimiter: string;
  readonly quoted: boolean;
  readonly stripTabs: boolean;
}

const HEREDOC = /<<(-?)\s*(?:'([^']+)'|"([^"]+)"|\\?([A-Za-z_][A-Za-z0-9_]*))/;

function heredocOf(line: string): { heredoc: Heredoc; command: string } | undefined {
  const m = HEREDOC.exec(line);
  if (m === null) return undefined;
  const quotedName = m[2] ?? m[3];
  const delimiter = quotedName ?? (m[4] as string);
  const quoted = quotedName !== undefined || line.slice(m.index).startsWith(`<<${m[1]}\\`);
  const command = `${line.slice(0, m.index)} ${line.slice(m.index + m[0].length)}`.trim();
  return { heredoc: { delimiter, quoted, stripTabs: m[1] === "-" }, command };
}

function modeUnder(umask: number): string {
  return `0${(0o666 & ~umask).toString(8).padStart(3, "0")}`;
}

/** What the command of a here-document line writes to, or undefined when it writes no literal file. */
function target(command: string, umask: number, runAs: string): Pick<WrittenFile, "path" | "mode" | "owner"> | undefined {
  const words = shellWords(command);
  if (words[0] === "write_file" && words.length === 4 && words.every((w) => w !== undefined)) {
    const [, path, mode, owner] = words as string[];
    if (path?.startsWith("/") && /^0?[0-7]{3,4}$/.test(mode as string)) return { path, mode: mode as string, owner: owner as string };
    return undefined;
  }
  if (words[0] === "cat") {
    // cat > PATH, cat >PATH (cat's own arguments would be read instead of the here-document: none allowed).
    const rest = words.slice(1);
    let path: string | undefined;
    if (rest.length === 2 && rest[0] === ">") path = rest[1];
    else if (rest.length === 1 && rest[0]?.startsWith(">") && rest[0] !== ">") path = rest[0].slice(1);
    if (path?.startsWith("/")) return { path, mode: modeUnder(umask), owner: runAs };
  }
  return undefined;
}

/**
 * Every literal file the script writes from a here-document, in order. `runAs` is the owner of files
 * written by plain redirection (`root:root` for boot scripts and Run Command).
 */
export function filesWrittenByScript(script: string, runAs = "root:root"): WrittenFile[] {
  const lines = script.split("\n");
  const files: WrittenFile[] = [];
  let umask = 0o022;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const um = /^\s*umask\s+(0?[0-7]{3})\s*$/.exec(line);
    if (um !== null) umask = parseInt(um[1] as string, 8);
    const found = heredocOf(line);
    if (found === undefined) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const text = found.heredoc.stripTabs ? (lines[j] as string).replace(/^\t+/, "") : (lines[j] as string);
      if (text === found.heredoc.delimiter) break;
      body.push(text);
    }
    const where = target(found.command, umask, runAs);
    if (where !== undefined && j < lines.length) {
      files.push({ ...where, content: body.length === 0 ? "" : `${body.join("\n")}\n`, expanded: !found.heredoc.quoted });
    }
    i = j;
  }
  return files;
}
