// Live sample analysis: reads k6's `--out json=<file>` while k6 is still writing it, into the one
// sample aggregator. Design and measurements: docs/adr/0003-live-samples.md.
//
// A plain file, not a FIFO: k6 never waits for k6-gate (a slow reader cannot lower k6's request
// rate), and the file is read in 1 MiB slices from where the last read stopped, so k6-gate's
// memory is the aggregator's bounded state plus one buffer, whatever the run length.
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { SampleAggregator, SampleError, type AggregatorOptions } from './aggregator.js';
import { forEachLine, LineSplitter } from './ndjson.js';

export interface LiveAnalysisOptions {
  /** The file k6 writes with `--out json=<file>` (plain, not .gz). */
  file: string;
  /** Metric or submetric names the noise bands and rules read (`http_req_duration{name:login}`). */
  watched?: string[];
  /** How often to look for new lines; default 200 ms. */
  pollMs?: number;
  log?: Logger;
  aggregator?: Omit<AggregatorOptions, 'log'>;
}

/** What a run's samples hold once k6 has finished: read trends and rates from `aggregator`. */
export interface RunSamples {
  aggregator: SampleAggregator;
  samples: number;
  /** Lines that were not k6 JSON (counted, not fatal: nothing else measured is lost). */
  badLines: number;
  /** First problem with the file, in words, if any. */
  problem?: string;
  /** Bytes read from the file, or received from k6's remote-write pushes. */
  bytes: number;
  /** Where the samples came from: k6's `--out json` file, or its remote-write output (remote-write.ts). */
  source?: 'json' | 'remote-write';
}

export interface LiveAnalysis {
  /** Reads what is left of the file (call after k6 exited) and returns the run's samples. */
  stop(): Promise<RunSamples>;
}

const SLICE = 1 << 20;

/** Starts following `file`; the file may not exist yet (k6 creates it when the test starts). */
export function startLiveAnalysis(options: LiveAnalysisOptions): LiveAnalysis {
  const aggregator = new SampleAggregator({ breakdown: true, ...options.aggregator, log: options.log });
  for (const name of options.watched ?? []) aggregator.wantSubmetric(name);
  const span = { first: Infinity, last: -Infinity };
  let lineNumber = 0;
  let badLines = 0;
  let problem: string | undefined;
  const where = () => `${options.file}:${lineNumber}`;
  const splitter = new LineSplitter((line) => {
    lineNumber++;
    try {
      aggregator.line(line, 0, span, where);
    } catch (error) {
      if (!(error instanceof SampleError)) throw error;
      badLines++;
      if (!problem) {
        problem = error.message;
        options.log?.warning(`live analysis: ${error.message}`);
      }
    }
  });
  const buffer = Buffer.allocUnsafe(SLICE);
  let handle: FileHandle | undefined;
  let position = 0;
  let reading: Promise<void> = Promise.resolve();
  let stopped = false;

  const readAvailable = async (): Promise<void> => {
    if (!handle) {
      try {
        handle = await open(options.file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, SLICE, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      // The splitter copies what it keeps, so the buffer can be reused.
      splitter.push(buffer.subarray(0, bytesRead));
    }
  };
  const tick = () => {
    reading = reading.then(readAvailable).catch((error: Error) => {
      if (!problem) problem = `could not read ${options.file}: ${error.message}`;
    });
  };
  const timer = setInterval(() => {
    if (!stopped) tick();
  }, options.pollMs ?? 200);
  timer.unref();
  tick();

  return {
    async stop(): Promise<RunSamples> {
      stopped = true;
      clearInterval(timer);
      tick();
      await reading;
      splitter.end();
      await handle?.close();
      if (aggregator.samples === 0 && !problem) problem = `k6 wrote no samples to ${options.file}`;
      return { aggregator, samples: aggregator.samples, badLines, problem, bytes: position, source: 'json' };
    },
  };
}

/**
 * The samples of a finished raw file (`--out json=….json[.gz]`), for callers that have the file
 * rather than a live run (the noise bands' `collectRunSamples(rawFile, watched)` can point here).
 */
export async function readRunSamples(
  file: string,
  watched: string[] = [],
  options: Omit<LiveAnalysisOptions, 'file' | 'watched'> = {},
): Promise<RunSamples> {
  const aggregator = new SampleAggregator({ breakdown: true, ...options.aggregator, log: options.log });
  for (const name of watched) aggregator.wantSubmetric(name);
  const span = { first: Infinity, last: -Infinity };
  let lineNumber = 0;
  let bytes = 0;
  await forEachLine(file, (line) => {
    lineNumber++;
    bytes += line.length + 1;
    aggregator.line(line, 0, span, () => `${file}:${lineNumber}`);
  });
  return {
    aggregator,
    samples: aggregator.samples,
    badLines: 0,
    bytes,
    problem: aggregator.samples === 0 ? `${file} holds no samples` : undefined,
  };
}
