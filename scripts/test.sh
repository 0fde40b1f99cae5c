#!/usr/bin/env bash
# `npm test`: everything CI checks, in order, on a fresh machine. Installs what the tests need
# (a real k6 through k6-gate's own installer, Go method; rsync for gitlab-ci-local; actionlint; buildah and
# a static k6 for the image test; podman, runc and busybox-static for the container executor; act).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

# podman's network helper (netavark) runs iptables/nft from the sbin folders; a PATH without them (a
# stripped CI environment) makes every container job fail with "netavark: No such file or directory".
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" ;; esac
export PATH

step "tools the tests need"
# rsync: gitlab-ci-local copies the job's files with it; shellcheck: actionlint checks run: scripts with it;
# prometheus: the observability tests start their own (loopback, temp storage); without it they fail.
missing=()
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# buildah: test/release/image.test.ts builds the Containerfile (as root: vfs storage, chroot isolation).
# podman, runc and busybox-static: test/gitlab/container-run.test.ts runs the component's jobs in that image
# with gitlab-ci-local's container executor (podman on runc; gitlab-ci-local's helper image is built from
# the static busybox).
if [ "$(id -u)" = 0 ]; then
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  [ -x /bin/busybox ] || missing+=(busybox-static)
fi
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
# chromium: test/report/html-browser.test.ts opens gate-report.html in a real headless browser.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (Debian packages)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # The Debian package starts a system Prometheus on :9090 where an init system runs; the tests need none.
    if [[ " ${missing[*]} " == *" prometheus "* ]]; then
      if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
        systemctl disable --now prometheus >/dev/null 2>&1 || true
      elif command -v service >/dev/null 2>&1; then
        service prometheus stop >/dev/null 2>&1 || true
      fi
    fi
  else
    echo "missing ${missing[*]} and cannot install them here; the gitlab-ci-local tests, actionlint's script checks, the Prometheus tests and the browser test need them" >&2
  fi
fi
if ! command -v actionlint >/dev/null 2>&1 && [ ! -x "$(go env GOPATH 2>/dev/null)/bin/actionlint" ]; then
  if command -v go >/dev/null 2>&1; then
    echo "installing actionlint from the Go module proxy"
    GOFLAGS=-mod=mod go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 2>&1 | tail -n 3 || true
  fi
fi
# act: test/github/act-runner.test.ts runs the action and self-test.yml with it (self-hosted mode). About
# 30 s to build on a fresh machine, cached in GOPATH/bin after.
if ! command -v act >/dev/null 2>&1 && [ ! -x "$(go env GOPATH 2>/dev/null)/bin/act" ]; then
  if command -v go >/dev/null 2>&1; then
    echo "installing act from the Go module proxy"
    GOFLAGS=-mod=mod go install github.com/nektos/act@v0.2.89 2>&1 | tail -n 3 || true
  fi
fi
export PATH="$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

step "k6 for the tests (k6-gate install, Go method: release downloads may be unreachable)"
K6_GATE_TEST_K6="$(node dist/cli.js install --k6-version 2.2.0 --method "${K6_GATE_TEST_INSTALL:-go}")"
K6_GATE_TEST_K6_V1="$(node dist/cli.js install --k6-version 1.8.1 --method "${K6_GATE_TEST_INSTALL:-go}")"
export K6_GATE_TEST_K6 K6_GATE_TEST_K6_V1
"$K6_GATE_TEST_K6" version
"$K6_GATE_TEST_K6_V1" version

step "image build context (the static k6 the image test builds FROM: CGO_ENABLED=0 go build, cached)"
# About a minute on a fresh machine (the Go module cache is warm from the k6 builds above), seconds after.
if command -v go >/dev/null 2>&1; then node scripts/image-context.mjs build/image >/dev/null; fi

step "dist/ matches src/"
node scripts/check-dist.mjs

step "typecheck"
npx tsc --noEmit -p tsconfig.test.json
npx tsc --noEmit -p scenarios/tsconfig.json

step "lint"
npx eslint .
npx prettier --check .
if command -v actionlint >/dev/null 2>&1; then actionlint; else echo "actionlint not available: skipped" >&2; fi

step "tests"
mkdir -p build
status=0
npx vitest run --reporter=default --reporter=json --outputFile=build/vitest.json || status=$?
# Totals and skipped tests by name; in CI a skipped test fails the run (see the script).
node scripts/test-summary.mjs build/vitest.json || status=$((status == 0 ? 1 : status))
# Every row of docs/failure-modes.md must name tests that passed in this run.
node scripts/check-failure-modes.mjs build/vitest.json docs/failure-modes.md || status=$((status == 0 ? 1 : status))
exit "$status"
