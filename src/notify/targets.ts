// The notify and notify-on inputs → where notifications go: each entry names a registered sink
// (src/notify/sinks/index.ts) and the environment variable that holds its URL, a secret that no
// message quotes.
import { ConfigError, parseList } from '../config.js';
import type { NotifyOn } from './payload.js';
import type { NotifyConfig } from './send.js';
import { findSink, sinkKinds } from './sinks/index.js';

/** `slack=SLACK_WEBHOOK_URL, webhook=MY_HOOK` → targets whose URLs come from those variables. */
export function parseNotifyInput(text: string | undefined, when: NotifyOn, env: NodeJS.ProcessEnv): NotifyConfig | undefined {
  const entries = parseList(text);
  if (entries.length === 0) return undefined;
  const targets = entries.map((entry) => {
    const match = /^([a-z][a-z0-9-]*)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(entry.trim());
    if (!match) {
      throw new ConfigError(
        `notify entry ${JSON.stringify(entry)} is not kind=VARIABLE; expected e.g. slack=SLACK_WEBHOOK_URL or webhook=MY_WEBHOOK_URL (the variable holds the URL, a secret)`,
      );
    }
    const [, kind, envName] = match;
    const sink = findSink(kind);
    if (!sink) {
      throw new ConfigError(
        `notify entry ${JSON.stringify(entry)}: ${JSON.stringify(kind)} is not a notification kind; expected ${sinkKinds()}`,
      );
    }
    const url = env[envName];
    if (url === undefined || url === '') {
      throw new ConfigError(
        `notify names ${envName}, but no such environment variable is set; expected the name of a variable that holds the webhook URL`,
      );
    }
    if (!/^https?:\/\/\S+$/.test(url)) {
      // Never quote the value: it is a secret.
      throw new ConfigError(`the value of ${envName} is not an http(s) URL; expected ${sink.url}`);
    }
    return { kind, envName, url };
  });
  return { targets, on: when };
}
