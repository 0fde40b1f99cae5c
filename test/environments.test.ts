import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { findEnvironment, loadEnvironments, parseEnvironments, type EnvironmentDef } from '../src/environments.js';
import { assertLoadAllowed } from '../src/load-policy.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-envs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const production: EnvironmentDef = { name: 'production', baseUrl: 'https://www.example.com', protected: true };
const staging: EnvironmentDef = { name: 'staging', baseUrl: 'https://staging.example.com', protected: false };

describe('loadEnvironments', () => {
  it('reads the JSON file of the repository example', async () => {
    const envs = await loadEnvironments(path.resolve('scenarios/examples/environments.json'));
    expect(envs.production).toEqual({ name: 'production', baseUrl: 'https://www.example.com', protected: true, healthPath: '/healthz' });
    expect(envs.local).toEqual({ name: 'local', baseUrl: 'http://127.0.0.1:8080', protected: false });
  });

  it('reads YAML, e.g. the environments section of a rules config, and trims a trailing slash', async () => {
    const file = path.join(dir, 'k6-gate.config.yaml');
    await writeFile(file, 'fail-on: regression\nenvironments:\n  prod:\n    baseUrl: https://api.example.com/\n    protected: true\n');
    expect(await loadEnvironments(file)).toEqual({ prod: { name: 'prod', baseUrl: 'https://api.example.com', protected: true } });
  });

  it('names the file and the bad value', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ environments: { staging: { baseUrl: 'staging.example.com' } } }));
    await expect(loadEnvironments(file)).rejects.toThrow(
      `${file}: environments.staging.baseUrl "staging.example.com" is not an http(s) URL`,
    );
    await writeFile(file, JSON.stringify({ environments: { prod: { baseUrl: 'https://x.example', protected: 'yes' } } }));
    await expect(loadEnvironments(file)).rejects.toThrow('environments.prod.protected "yes" is not a boolean');
    await writeFile(file, '{ "environments": ');
    await expect(loadEnvironments(file)).rejects.toThrow(`environments file ${file} is not valid JSON`);
    await expect(loadEnvironments(path.join(dir, 'missing.json'))).rejects.toThrow(
      /environments file .*missing\.json does not exist; expected a JSON or YAML file/,
    );
  });

  it('asks for an "environments" object when there is none', () => {
    expect(() => parseEnvironments({ staging: {} }, 'k6-gate.environments.json')).toThrow(ConfigError);
    expect(() => parseEnvironments({ staging: {} }, 'k6-gate.environments.json')).toThrow(
      'k6-gate.environments.json has no "environments" object; expected e.g.',
    );
  });
});

describe('findEnvironment', () => {
  it('lists the known names for an unknown one', () => {
    expect(() => findEnvironment({ staging, production }, 'prod')).toThrow(
      'environment "prod" is not defined; known environments: staging, production; expected one of them, or a target URL (then the name only labels the reports)',
    );
  });
});

describe('assertLoadAllowed', () => {
  it('refuses stress on a protected environment, naming the environment, profile and the flag to set', () => {
    let error: unknown;
    try {
      assertLoadAllowed({ environment: production, profile: 'stress', allowHeavyLoad: false });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'refusing to run the stress profile against the protected environment "production" (https://www.example.com): stress, spike, soak, breakpoint can overload a live system. ' +
        'If this is intended, set the input `allow-heavy-load: true` (GitHub/GitLab) or pass `--allow-heavy-load` (CLI); otherwise choose smoke or load, or a non-protected environment.',
    );
  });

  it.each(['spike', 'soak', 'breakpoint', 'Stress'])('refuses %s on a protected environment', (profile) => {
    expect(() => assertLoadAllowed({ environment: production, profile, allowHeavyLoad: false })).toThrow(ConfigError);
  });

  it('allows heavy profiles with the flag, light profiles anywhere, and anything off protected environments', () => {
    expect(() => assertLoadAllowed({ environment: production, profile: 'stress', allowHeavyLoad: true })).not.toThrow();
    expect(() => assertLoadAllowed({ environment: production, profile: 'smoke', allowHeavyLoad: false })).not.toThrow();
    expect(() => assertLoadAllowed({ environment: production, profile: 'load', allowHeavyLoad: false })).not.toThrow();
    expect(() => assertLoadAllowed({ environment: production, allowHeavyLoad: false })).not.toThrow();
    expect(() => assertLoadAllowed({ environment: staging, profile: 'breakpoint', allowHeavyLoad: false })).not.toThrow();
    expect(() => assertLoadAllowed({ profile: 'soak', allowHeavyLoad: false })).not.toThrow();
  });
});
