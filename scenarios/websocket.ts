// Workload `websocket`: one iteration is one session of a collaborative app. The client connects,
// joins a room (presence), sends echo messages to time round trips, and streams cursor positions
// that the server fans out to the room. Custom Trends time each kind of traffic.
//
//   k6 run -e BASE_URL=... -e CONFIG_FILE=examples/websocket.json scenarios/websocket.ts
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { bearerHeaders } from './lib/auth.ts';
import { baseUrl, configError, envVar, loadWorkloadConfig, thinkTimeSeconds } from './lib/config.ts';
import { fillTemplates, randomInt, randomString } from './lib/data.ts';
import { requireHealthyTarget } from './lib/health.ts';
import { buildOptions } from './lib/profiles.ts';

interface WsConfig {
  /** Path below BASE_URL (http→ws); WS_URL or `url` give a full ws(s):// URL instead. */
  path: string;
  url?: string;
  /** Room to join; `{{...}}` templates allowed. Empty string: do not join (no presence/cursor). */
  room: string;
  echo: { count: number; intervalMs: number; payloadBytes: number };
  cursor: { count: number; intervalMs: number };
  /** A session that has not finished by then is closed and counted as failed. */
  sessionTimeoutSeconds: number;
  thinkTimeSeconds: number;
  /** Replace default thresholds per metric (see docs/scenarios.md). */
  thresholds?: Record<string, unknown>;
}

const DEFAULTS: WsConfig = {
  path: '/ws',
  room: 'room-{{randInt 1 5}}',
  echo: { count: 10, intervalMs: 100, payloadBytes: 64 },
  cursor: { count: 10, intervalMs: 100 },
  sessionTimeoutSeconds: 10,
  thinkTimeSeconds: 1,
};

function validate(c: WsConfig): WsConfig {
  const whole = (field: string, v: number, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) throw configError(field, v, `a whole number ≥ ${min}`);
  };
  whole('echo.count', c.echo.count, 0);
  whole('echo.intervalMs', c.echo.intervalMs, 1);
  whole('echo.payloadBytes', c.echo.payloadBytes, 0);
  whole('cursor.count', c.cursor.count, 0);
  whole('cursor.intervalMs', c.cursor.intervalMs, 1);
  if (!(c.sessionTimeoutSeconds > 0)) throw configError('sessionTimeoutSeconds', c.sessionTimeoutSeconds, 'a number of seconds > 0');
  return c;
}

const config = validate(loadWorkloadConfig('websocket', DEFAULTS));
const BASE = baseUrl();
const WS_URL = envVar('WS_URL') ?? config.url ?? `${BASE.replace(/^http/, 'ws')}${config.path}`;
if (!/^wss?:\/\/[^/\s]+/.test(WS_URL))
  throw new Error(`WS_URL=${JSON.stringify(WS_URL)} is not a ws(s):// URL; expected e.g. "wss://example.com/ws"`);
const THINK = thinkTimeSeconds(config.thinkTimeSeconds);

export const options = buildOptions({
  latencyMetrics: ['ws_echo_round_trip'],
  errorMetrics: ['ws_echo_failed'],
  configThresholds: config.thresholds,
});

const echoRoundTrip = new Trend('ws_echo_round_trip', true);
const cursorFanout = new Trend('ws_cursor_fanout', true);
const presenceDuration = new Trend('ws_presence_duration', true);
const echoFailed = new Rate('ws_echo_failed');
const cursorsFromOthers = new Counter('ws_cursors_from_others');

export function setup(): void {
  requireHealthyTarget(BASE);
}

export default function (): void {
  const user = `k6-vu-${exec.vu.idInTest}`;
  const room = config.room === '' ? '' : String(fillTemplates(config.room, {}, 'room'));
  const pendingEchoes = new Map<number, number>();
  const payload = randomString(config.echo.payloadBytes);
  let opened = false;
  let finished = false;
  let echoesSent = 0;
  let echoesBack = 0;
  let echoesRefused = 0;
  let cursorsSent = 0;
  let ownCursorsBack = 0;
  let joinSentAt = 0;
  let presenceSeen = room === '';
  let echoTimer: ReturnType<typeof setInterval> | undefined;
  let cursorTimer: ReturnType<typeof setInterval> | undefined;

  const ws = new WebSocket(WS_URL, null, { headers: bearerHeaders(), tags: { name: 'ws session' } });

  const sessionTimer = setTimeout(() => finish(), config.sessionTimeoutSeconds * 1000);

  function finish(): void {
    if (finished) return;
    finished = true;
    if (echoTimer !== undefined) clearInterval(echoTimer);
    if (cursorTimer !== undefined) clearInterval(cursorTimer);
    clearTimeout(sessionTimer);
    for (let i = 0; i < config.echo.count - echoesBack - echoesRefused; i++) echoFailed.add(true);
    check(null, {
      'the WebSocket connection opens': () => opened,
      'every echo message comes back': () => echoesBack === config.echo.count,
      'presence announces this user in the room': () => presenceSeen,
      'cursor positions fan out to the room': () => room === '' || config.cursor.count === 0 || ownCursorsBack === config.cursor.count,
    });
    if (ws.readyState === 0 || ws.readyState === 1) {
      if (ws.readyState === 1 && room !== '') ws.send(JSON.stringify({ type: 'leave' }));
      ws.close();
    }
    // Think time without blocking the event loop that closes the socket.
    if (THINK > 0) setTimeout(() => undefined, THINK * 1000);
  }

  function maybeDone(): void {
    const cursorsDone = room === '' || ownCursorsBack >= config.cursor.count;
    if (echoesBack + echoesRefused >= config.echo.count && cursorsDone && presenceSeen) finish();
  }

  ws.onopen = () => {
    opened = true;
    if (room !== '') {
      joinSentAt = Date.now();
      ws.send(JSON.stringify({ type: 'join', room, user }));
    }
    if (config.echo.count > 0) {
      const timer = setInterval(() => {
        if (echoesSent >= config.echo.count) return clearInterval(timer);
        const id = ++echoesSent;
        pendingEchoes.set(id, Date.now());
        ws.send(JSON.stringify({ type: 'echo', id, sentAt: Date.now(), payload }));
      }, config.echo.intervalMs);
      echoTimer = timer;
    }
    if (room !== '' && config.cursor.count > 0) {
      const timer = setInterval(() => {
        if (cursorsSent >= config.cursor.count) return clearInterval(timer);
        cursorsSent++;
        ws.send(JSON.stringify({ type: 'cursor', x: randomInt(0, 1920), y: randomInt(0, 1080), sentAt: Date.now() }));
      }, config.cursor.intervalMs);
      cursorTimer = timer;
    }
    maybeDone();
  };

  ws.onmessage = (event) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(String(event?.data)) as Record<string, unknown>;
    } catch {
      return;
    }
    const now = Date.now();
    if (message.type === 'echo' && typeof message.id === 'number') {
      const sentAt = pendingEchoes.get(message.id);
      if (sentAt === undefined) return;
      pendingEchoes.delete(message.id);
      echoRoundTrip.add(now - sentAt);
      echoFailed.add(false);
      echoesBack++;
    } else if (message.type === 'error' && typeof message.id === 'number' && pendingEchoes.delete(message.id)) {
      // The server answered the echo with an error: a failure, and no need to wait for it.
      echoFailed.add(true);
      echoesRefused++;
    } else if (message.type === 'presence' && message.user === user && message.event === 'join') {
      if (!presenceSeen) presenceDuration.add(now - joinSentAt);
      presenceSeen = true;
    } else if (message.type === 'cursor') {
      if (message.user === user) {
        ownCursorsBack++;
        if (typeof message.sentAt === 'number') cursorFanout.add(now - message.sentAt);
      } else {
        cursorsFromOthers.add(1);
      }
    }
    maybeDone();
  };

  ws.onerror = () => finish();
  ws.onclose = () => finish();
}
