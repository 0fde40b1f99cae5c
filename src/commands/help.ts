// The CLI's top-level help (`k6-gate --help`, `k6-gate run --help`): text only, cheap to load.
import { DEFAULT_K6_VERSION } from '../config.js';
import { VERSION } from '../version.js';

export const HELP = `k6-gate ${VERSION} — load-test regression gate around k6

Usage:
  k6-gate run <scenario...> [options]   run scenarios, compare with the baseline, report, gate
  k6-gate demo [--slowdown 50%]         start the bundled demo target and gate a smoke run against it
  k6-gate demo-target [--port 8080]     run the demo target in the foreground (Ctrl-C stops it)
  k6-gate install [--k6-version V]      install k6 and print its path
  k6-gate baseline show|diff|update     look at or maintain the baseline file
  k6-gate merge <scenario...> --from DIR [options]
                                        gate a sharded run: merge the shards' raw samples under DIR
                                        (k6-<scenario>.shard-*.json.gz), then compare and report
  k6-gate operator-manifest <scenario> --name NAME --parallelism N
                                        write a k6-operator TestRun (see operator-manifest --help)
  k6-gate --help | --version

A scenario is a bundled name (http-endpoints, crud-flow, jsonrpc, websocket, user-flow) or a
path to your own k6 script; name=path sets the name used in reports and the baseline.

Run options:
  --profile NAME            smoke | load | stress | spike | soak | breakpoint (bundled scenarios)
  --target URL              base URL of the system under test (BASE_URL for the script)
  --environment NAME        a named environment (its base URL is the default target)
  --environments FILE       named environments (default k6-gate.environments.json, if present)
  --allow-heavy-load        allow stress/spike/soak/breakpoint against a protected environment
  --allow-new-baseline B    true: in a protected environment, a run without its baseline entry passes
                            (with a warning) instead of failing (default false)
  --health-url URL          wait for this URL before k6 starts (default: the target)
  --no-preflight            do not wait for the target
  --preflight-timeout D     how long to wait for the target (default 30s)
  --baseline FILE           baseline JSON (default k6-baseline.json)
  --config FILE             rules file: watched metrics, tolerances (JSON or YAML)
  --tolerance P             relative tolerance of every watched metric, e.g. 10% (overrides --config)
  --watch METRIC:STAT       watch this metric instead of the defaults (repeatable), e.g. http_req_duration:p(95)
  --history-limit N         runs kept in the baseline history (default 10)
  --confidence C            prediction-interval confidence (default 0.99)
  --results-dir DIR         where summaries and reports go (default k6-gate-results)
  --fail-on LIST            regression,thresholds (default) | regression | thresholds | none
  --update-baseline [MODE]  record this run in the baseline: true | auto (default branch) | always | force | false |
                            merge-request (GitLab job: propose the updated file in a merge request)
  --env KEY=VALUE           extra variable for the script (repeatable)
  --secret-env NAME         pass this environment variable to k6 as a secret (repeatable)
  --k6-args "ARGS"          extra k6 arguments, split like a shell would (no shell runs)
  --timeout D               stop k6 after D (SIGINT, then kill after a grace period)
  --no-html-report          skip k6's HTML dashboard report
  --raw-output              also write every sample (k6-<scenario>.json.gz)
  --metrics-output KIND=T   stream k6's samples while it runs (repeatable): prometheus=<remote-write URL>
                            (k6-gate pushes its verdict series there too), prometheus-native=URL
                            (Trends as native histograms), influxdb=URL, otlp=URL, json=FILE
  --notify KIND=VAR         notify slack=VAR or webhook=VAR (VAR holds the URL; repeatable)
  --notify-on WHEN          regression (default), error or always
  --no-analysis             skip live sample analysis (per-endpoint table, error mix, k6 health, sampling bands)
  --analysis BOOL           the same as a value: true (default) | false
  --endpoints-top N         endpoints listed in the per-endpoint table (default 10)
  --confirm N               rerun a regressed scenario up to N times; fail only if it persists (default 1)
  --baseline-target URL     A/B mode: a deployment of the base version, run in ABBA rounds with --target
  --shard I/N               run shard I of N (execution segments); writes shard files for merge
  --from DIR                (merge) folder with the shard files of all shards
  --k6-version V            k6 to use (default ${DEFAULT_K6_VERSION})
  --k6-install METHOD       auto | release | go | path (default auto)
  --k6-path FILE            a k6 binary to use (implies --k6-install path)
  --k6-download-url URL     release URL template for mirrors: {tag} {version} {asset}
  --k6-sha256 HEX           SHA-256 the release archive must have (see docs/install.md)
  --json                    print comparison.json instead of the Markdown report
  --verbose                 more log lines (and the stack of an error)

Exit status: 0 passed, 1 the gate failed by policy, 2 error (k6 or the target could not run, bad input),
130/143 stopped by SIGINT/SIGTERM (k6 is stopped and the partial results are written; a second signal stops at once).
`;
