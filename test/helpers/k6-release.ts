// A local stand-in for k6's GitHub releases: a release-shaped archive holding the real k6 (one top
// folder with the binary and LICENSE.md, as k6 publishes them), its checksums file, and a loopback
// HTTP mirror that serves them. Shared by the installer's tests and the packed npm package's.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { runProgram } from './cli.js';

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The names k6 gives a linux/amd64 release's files. */
export function releaseFiles(version: string): { asset: string; checksums: string } {
  return { asset: `k6-v${version}-linux-amd64.tar.gz`, checksums: `k6-v${version}-checksums.txt` };
}

/** Runs a tool to completion; rejects with its stderr when it exits non-zero. */
export async function runTool(command: string, args: string[]): Promise<void> {
  const run = await runProgram(command, args);
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
}

/** A .tar.gz laid out like k6's linux/amd64 release archive, holding `k6Binary`; built under `scratch`. */
export async function buildReleaseArchive(k6Binary: string, version: string, scratch: string): Promise<Buffer> {
  const staging = path.join(scratch, 'staging');
  const top = `k6-v${version}-linux-amd64`;
  await mkdir(path.join(staging, top), { recursive: true });
  await copyFile(k6Binary, path.join(staging, top, 'k6'));
  await chmod(path.join(staging, top, 'k6'), 0o755);
  await writeFile(path.join(staging, top, 'LICENSE.md'), 'test fixture\n');
  const tarPath = path.join(scratch, `${top}.tar`);
  await runTool('tar', ['-cf', tarPath, '-C', staging, top]);
  // gzip level 1 keeps setup fast; tar -xz reads any level.
  await pipeline(createReadStream(tarPath), createGzip({ level: 1 }), createWriteStream(`${tarPath}.gz`));
  const archive = await readFile(`${tarPath}.gz`);
  await rm(staging, { recursive: true });
  await rm(tarPath);
  await rm(`${tarPath}.gz`);
  return archive;
}

/** A checksums file as k6 publishes it: `<sha256>  <name>` per line (a string is taken as the hash). */
export function checksumsFor(entries: Record<string, Buffer | string>): Buffer {
  const lines = Object.entries(entries).map(([name, data]) => `${typeof data === 'string' ? data : sha256(data)}  ${name}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** The usual mirror under `prefix`: the archive plus a checksums file that also lists other platforms. */
export function releaseRoutes(prefix: string, version: string, archive: Buffer): Record<string, Route> {
  const { asset, checksums } = releaseFiles(version);
  return {
    [`/${prefix}/v${version}/${asset}`]: archive,
    [`/${prefix}/v${version}/${checksums}`]: checksumsFor({
      [asset]: archive,
      [`k6-v${version}-linux-arm64.tar.gz`]: 'c'.repeat(64),
      [`k6-v${version}-macos-arm64.zip`]: 'd'.repeat(64),
    }),
  };
}

export type Route = Buffer | ((req: http.IncomingMessage, res: http.ServerResponse) => void);

export interface Mirror {
  /** A k6-download-url template pointing at this mirror under `prefix`. */
  template(prefix: string): string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `routes` (URL path → body or handler) on 127.0.0.1; anything else is a 404. */
export async function startMirror(routes: Record<string, Route>): Promise<Mirror> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const route = routes[url];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    } else if (Buffer.isBuffer(route)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': route.length }).end(route);
    } else {
      route(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    template: (prefix) => `http://127.0.0.1:${port}/${prefix}/{tag}/{asset}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
