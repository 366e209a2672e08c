/**
 * A file a command reads cannot be used: unreadable, too large, nested too deeply, not valid YAML/JSON.
 * The message is one line: the file, then the problem. The commands exit 2 on it (the user's input is
 * wrong), never 3.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "InputError";
  }
}
