// The logging surface every layer writes progress to. Entries provide the implementation:
// GitHub (annotations, collapsible groups, masking) or the terminal.
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible section (GitHub group, GitLab section, plain header on a terminal). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a value that must never be printed. */
  addSecret(value: string): void;
}

/** Replaces every registered secret in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

export interface TerminalLoggerOptions {
  verbose?: boolean;
  /** Where lines go; stderr keeps stdout clean for the report. */
  write?: (line: string) => void;
  /** GitLab collapsible sections instead of plain headers. */
  gitlabSections?: boolean;
}

/** A logger for terminals and GitLab job logs. */
export function createTerminalLogger(options: TerminalLoggerOptions = {}): Logger {
  const secrets: string[] = [];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const say = (line: string) => write(redact(line, secrets));
  let sectionCount = 0;
  return {
    info: (message) => say(message),
    warning: (message) => say(`warning: ${message}`),
    error: (message) => say(`error: ${message}`),
    debug: (message) => {
      if (options.verbose) say(`debug: ${message}`);
    },
    addSecret: (value) => {
      if (value && !secrets.includes(value)) secrets.push(value);
    },
    async group(title, fn) {
      if (options.gitlabSections) {
        const id = `k6_gate_${++sectionCount}`;
        write(`\u001b[0Ksection_start:${Math.floor(Date.now() / 1000)}:${id}[collapsed=true]\r\u001b[0K${redact(title, secrets)}`);
        try {
          return await fn();
        } finally {
          write(`\u001b[0Ksection_end:${Math.floor(Date.now() / 1000)}:${id}\r\u001b[0K`);
        }
      }
      say(`▶ ${title}`);
      return fn();
    },
  };
}
