// A page the project writes, opened in a real headless Chromium (Debian's `chromium`) and driven over
// the DevTools protocol with the `ws` client: what it logged to the console, every request it
// made, a value evaluated in it, and a screenshot. No network: the page is a local file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

export interface OpenedPage {
  url: string;
  /** Console messages and log entries of level error or warning, and uncaught exceptions. */
  problems: string[];
  /** URLs of every request the page made after it was opened (the page itself excluded). */
  requests: string[];
  evaluate<T>(expression: string): Promise<T>;
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * K6_GATE_TEST_CHROMIUM, else the first Chromium-family browser on PATH: Debian's `chromium` (what
 * scripts/test.sh installs), else the Chrome a hosted GitHub runner already has.
 */
function browserBinary(): string {
  if (process.env.K6_GATE_TEST_CHROMIUM) return process.env.K6_GATE_TEST_CHROMIUM;
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
    }
  }
  return 'chromium';
}

/** Starts Chromium with a DevTools port of its choosing and resolves with its address. */
function launch(profile: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    browserBinary(),
    [
      '--headless=new',
      '--no-sandbox', // CI containers run as root, where Chromium's sandbox cannot start
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--window-size=1200,900',
      'about:blank',
    ],
    // Its own process group: closing kills the renderer and helper processes with it.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start its DevTools server within 30 s:\n${stderr}`)), 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`chromium cannot be started (${error.message}); install Debian's chromium package (scripts/test.sh does as root)`));
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
  });
}

/** Opens `file` in a fresh headless Chromium and waits for its load event. */
export async function openInChromium(file: string): Promise<OpenedPage> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-chromium-'));
  const { child, port } = await launch(profile);
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  const listeners: ((method: string, params: any) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString());
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.message}`));
      else waiter?.resolve(message.result);
    } else {
      for (const listener of listeners) listener(message.method, message.params);
    }
  });
  const send = (method: string, params: object = {}): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  const requests: string[] = [];
  listeners.push((method, params) => {
    if (method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(params.type)) {
      problems.push(
        `console.${params.type}: ${params.args.map((a: { value?: unknown; description?: string }) => a.value ?? a.description).join(' ')}`,
      );
    }
    if (method === 'Runtime.exceptionThrown') problems.push(`exception: ${params.exceptionDetails.text}`);
    if (method === 'Log.entryAdded' && ['error', 'warning'].includes(params.entry.level))
      problems.push(`log ${params.entry.source}: ${params.entry.text}`);
    if (method === 'Network.requestWillBeSent' && params.request.url !== url) requests.push(params.request.url);
  });
  await Promise.all([send('Runtime.enable'), send('Log.enable'), send('Network.enable'), send('Page.enable')]);
  const loaded = new Promise<void>((resolve) => listeners.push((method) => method === 'Page.loadEventFired' && resolve()));
  await send('Page.navigate', { url });
  await loaded;
  return {
    url,
    problems,
    requests,
    async evaluate<T>(expression: string): Promise<T> {
      const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, returnByValue: true });
      if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
      return result.value as T;
    },
    async screenshot(target: string): Promise<void> {
      const { data } = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
      await writeFile(target, Buffer.from(data, 'base64'));
    },
    async close(): Promise<void> {
      socket.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const group = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      };
      group('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      group('SIGKILL');
      await rm(profile, { recursive: true, force: true });
    },
  };
}
