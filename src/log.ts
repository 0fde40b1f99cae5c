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

/** Shorter values are too common to mask (and a mask of "a" would garble every line); inputs refuse them. */
export const MIN_SECRET_LENGTH = 3;
/** Lines of a multi-line secret (a PEM key, a JSON blob) shorter than this are structure, not secret. */
const MIN_SECRET_LINE_LENGTH = 8;

/**
 * Every form a secret can take in output: raw; escaped as in a JSON or Go-quoted string (k6's log
 * writes `pa\"ss\\word`, `…\nMIIE…`), and escaped twice (a JSON file quoting such a log line);
 * URL-encoded; base64 (an Authorization header); and each line of a multi-line value on its own,
 * since logs are read line by line. Longest first, so a longer form is masked before its parts.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const known = formsCache.get(secret);
  if (known) return known;
  const forms = new Set<string>([secret]);
  const escaped = JSON.stringify(secret).slice(1, -1);
  forms.add(escaped);
  forms.add(JSON.stringify(escaped).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  for (const encoded of base64Forms(secret)) forms.add(encoded);
  for (const line of secret.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length >= MIN_SECRET_LINE_LENGTH && trimmed !== secret) {
      forms.add(trimmed);
      forms.add(JSON.stringify(trimmed).slice(1, -1));
    }
  }
  const sorted = [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  formsCache.set(secret, sorted);
  return sorted;
}

const formsCache = new Map<string, string[]>();

let lastSecrets = '';
let lastForms: string[] = [];
/** Every form of every secret, longest first; remembered for the last secret list (one per run). */
function allForms(secrets: readonly string[]): string[] {
  const key = secrets.join('\u0000');
  if (key !== lastSecrets) {
    lastSecrets = key;
    lastForms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  }
  return lastForms;
}

/**
 * The secret's base64, alone and embedded in a longer value (`Basic base64(user:secret)`): for each
 * of the three byte offsets the secret can start at, the run of base64 characters that depends on
 * the secret's bytes only. At most two bytes at either end stay unmasked.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  const whole = bytes.toString('base64');
  out.push(whole, whole.replace(/=+$/, ''));
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const inner = encoded.slice(offset === 0 ? 0 : 4, Math.floor((offset + bytes.length) / 3) * 4);
    if (inner.length >= MIN_SECRET_LINE_LENGTH) out.push(inner);
  }
  return out;
}

/** Replaces every registered secret, in every form of secretForms, in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const form of allForms(secrets)) {
    if (out.includes(form)) out = out.split(form).join('***');
  }
  return out;
}

/** `value` with every string in it redacted (objects and arrays copied), for results that become files and comments. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, inner]) => [walk(k), walk(inner)]));
    return v;
  };
  return walk(value) as T;
}

export interface TerminalLoggerOptions {
  verbose?: boolean;
  /** Where lines go; stderr keeps stdout clean for the report. */
  write?: (line: string) => void;
  /** GitLab collapsible sections instead of plain headers. */
  gitlabSections?: boolean;
}

/**
 * The same logger, saying each warning once: the k6 runs of one verdict (A/B rounds, confirmation
 * reruns) meet the same load-generator problem each time, and on GitHub every warning line is an
 * annotation of its own.
 */
export function sayingWarningsOnce(log: Logger): Logger {
  const said = new Set<string>();
  return {
    info: (message) => log.info(message),
    error: (message) => log.error(message),
    debug: (message) => log.debug(message),
    group: (title, fn) => log.group(title, fn),
    addSecret: (value) => log.addSecret(value),
    warning: (message) => {
      if (said.has(message)) return;
      said.add(message);
      log.warning(message);
    },
  };
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
