/**
 * Progress of a long command, one line per phase as it starts, so a user (or a CI log) sees where the
 * time goes. Under CI (`CI=true`) each phase is a collapsible log group (GitHub Actions `::group::`).
 */
export interface Phases {
  run<T>(title: string, work: () => Promise<T> | T): Promise<T>;
}

export function phaseReporter(command: string, write: (line: string) => void = (line) => console.log(line), env: NodeJS.ProcessEnv = process.env): Phases {
  const ci = env.CI === "true";
  return {
    async run<T>(title: string, work: () => Promise<T> | T): Promise<T> {
      write(ci ? `::group::${command}: ${title}` : `${command}: ${title} ...`);
      try {
        return await work();
      } finally {
        if (ci) write("::endgroup::");
      }
    },
  };
}
