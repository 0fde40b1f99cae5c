// The demo target's WebSocket endpoint: echo (for round-trip latency), room presence and cursor
// fan-out, the traffic of a collaborative app. Messages are JSON objects with a `type`.
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WebSocketOptions {
  path: string;
  /** Latency of one echo answer, from the same knobs as HTTP. */
  delayMs(): number;
  wait(ms: number): Promise<void>;
  injectError(): boolean;
}

interface Member {
  socket: WebSocket;
  room?: string;
  user?: string;
}

export function attachWebSocket(server: http.Server, options: WebSocketOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const rooms = new Map<string, Set<Member>>();

  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== options.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  function send(socket: WebSocket, message: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  }

  function usersOf(room: string): string[] {
    return [...(rooms.get(room) ?? [])].map((m) => m.user ?? 'anonymous');
  }

  function broadcast(room: string, message: unknown): void {
    for (const member of rooms.get(room) ?? []) send(member.socket, message);
  }

  function leave(member: Member): void {
    if (!member.room) return;
    const room = member.room;
    const set = rooms.get(room);
    set?.delete(member);
    if (set && set.size === 0) rooms.delete(room);
    member.room = undefined;
    broadcast(room, { type: 'presence', event: 'leave', room, user: member.user, users: usersOf(room) });
  }

  wss.on('connection', (socket: WebSocket) => {
    const member: Member = { socket };
    send(socket, { type: 'welcome', time: Date.now() });
    socket.on('message', (data) => {
      let message: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(String(data));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        message = parsed as Record<string, unknown>;
      } catch {
        send(socket, { type: 'error', error: 'messages must be JSON objects with a "type"' });
        return;
      }
      switch (message.type) {
        case 'echo': {
          const failed = options.injectError();
          void options
            .wait(options.delayMs())
            .then(() =>
              send(
                socket,
                failed
                  ? { type: 'error', id: message.id, error: 'injected failure (demo errorRate knob)' }
                  : { ...message, serverTime: Date.now() },
              ),
            );
          break;
        }
        case 'join': {
          if (typeof message.room !== 'string' || message.room === '') {
            send(socket, { type: 'error', error: 'join needs a non-empty "room"' });
            break;
          }
          leave(member);
          member.room = message.room;
          member.user = typeof message.user === 'string' ? message.user : 'anonymous';
          let set = rooms.get(member.room);
          if (!set) rooms.set(member.room, (set = new Set()));
          set.add(member);
          broadcast(member.room, { type: 'presence', event: 'join', room: member.room, user: member.user, users: usersOf(member.room) });
          break;
        }
        case 'leave':
          leave(member);
          break;
        case 'cursor': {
          if (!member.room) {
            send(socket, { type: 'error', error: 'join a room before sending cursor positions' });
            break;
          }
          // Sent to everyone in the room, the sender too, so a lone client still sees its fan-out.
          broadcast(member.room, { type: 'cursor', user: member.user, x: message.x, y: message.y, sentAt: message.sentAt });
          break;
        }
        default:
          send(socket, {
            type: 'error',
            error: `unknown message type ${JSON.stringify(message.type)}; expected echo, join, leave or cursor`,
          });
      }
    });
    socket.on('close', () => leave(member));
    socket.on('error', () => leave(member));
  });

  return {
    close() {
      for (const client of wss.clients) client.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
