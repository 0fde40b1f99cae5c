// The CLI's top-level help (`k6-gate --help`, `k6-gate run --help`); the options come from the
// input specification (src/input-spec.ts).
import { renderFlagHelp } from '../input-spec.js';
import { VERSION } from '../version.js';

export const HELP = `k6-gate ${VERSION} — load-test regression gate around k6

Usage:
  k6-gate run <scenario...> [options]   run scenarios, compare with the baseline, report, gate
  k6-gate demo [--slowdown 50%]         start the bundled demo target and gate a smoke run against it
  k6-gate demo-target [--port 8080]     run the demo target in the foreground (Ctrl-C stops it)
  k6-gate install [--k6-version V]      install k6 and print its path
  k6-gate baseline show|diff|update     look at or maintain the baseline file
  k6-gate merge <scenario...> --from DIR [options]
                                        gate a sharded run: merge the shards' state files under DIR
                                        (k6-<scenario>.shard-*.json.gz), then compare and report
  k6-gate collect <scenario> --run-id ID --runners N --token-env NAME
                                        receive N k6 runners' remote-write pushes, then gate them
                                        merged like merge (see collect --help)
  k6-gate operator-manifest <scenario> --name NAME --parallelism N
                                        write a k6-operator TestRun (see operator-manifest --help)
  k6-gate --help | --version

A scenario is a bundled name (http-endpoints, crud-flow, jsonrpc, websocket, user-flow) or a
path to your own k6 script; name=path sets the name used in reports and the baseline (no "@", no
spaces). Words and commas separate scenarios; a path holding a comma or a new line is written as a
JSON string, e.g. '"load,v2/a.js"'.

Run options:
${renderFlagHelp('run')}
Exit status: 0 passed, 1 the gate failed by policy, 2 error (k6 or the target could not run, bad input),
130/143 stopped by SIGINT/SIGTERM (k6 is stopped and the partial results are written; a second signal stops at once).
`;
