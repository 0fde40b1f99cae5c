import { describe, expect, it } from 'vitest';
import {
  DEFAULT_K6_DOWNLOAD_URL,
  K6InstallError,
  defaultToolCacheLocation,
  displayUrl,
  expandDownloadUrl,
  k6BuildGoMod,
  k6ChecksumsFileName,
  k6ModulePath,
  k6ReleaseAsset,
  parseChecksums,
  parseK6VersionOutput,
} from '../../src/k6/system.js';

describe('release asset names', () => {
  it.each([
    ['linux', 'x64', 'k6-v2.2.0-linux-amd64.tar.gz', 'k6'],
    ['linux', 'arm64', 'k6-v2.2.0-linux-arm64.tar.gz', 'k6'],
    ['darwin', 'x64', 'k6-v2.2.0-macos-amd64.zip', 'k6'],
    ['darwin', 'arm64', 'k6-v2.2.0-macos-arm64.zip', 'k6'],
    ['win32', 'x64', 'k6-v2.2.0-windows-amd64.zip', 'k6.exe'],
  ] as const)('%s/%s → %s', (platform, arch, fileName, binaryName) => {
    const asset = k6ReleaseAsset('2.2.0', platform, arch);
    expect(asset.fileName).toBe(fileName);
    expect(asset.topFolder).toBe(fileName.replace(/\.(tar\.gz|zip)$/, ''));
    expect(asset.format).toBe(fileName.endsWith('.zip') ? 'zip' : 'tar.gz');
    expect(asset.binaryName).toBe(binaryName);
  });

  it.each([
    ['freebsd', 'x64'],
    ['win32', 'arm64'],
    ['linux', 'ia32'],
  ] as const)('%s/%s is refused with the list of supported platforms', (platform, arch) => {
    let error: unknown;
    try {
      k6ReleaseAsset('2.2.0', platform, arch);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(K6InstallError);
    expect((error as Error).message).toContain(`${platform}/${arch}`);
    expect((error as Error).message).toContain('supported: linux/x64, linux/arm64, darwin/x64, darwin/arm64, win32/x64');
  });

  it('names the checksums file after the tag', () => {
    expect(k6ChecksumsFileName('2.2.0')).toBe('k6-v2.2.0-checksums.txt');
    expect(k6ChecksumsFileName('1.0.0-rc1')).toBe('k6-v1.0.0-rc1-checksums.txt');
  });
});

describe('download URL templates', () => {
  it('fills the default GitHub release URL', () => {
    expect(expandDownloadUrl(DEFAULT_K6_DOWNLOAD_URL, '2.2.0', 'k6-v2.2.0-linux-amd64.tar.gz')).toBe(
      'https://github.com/grafana/k6/releases/download/v2.2.0/k6-v2.2.0-linux-amd64.tar.gz',
    );
  });

  it('fills {version}, {tag} and {asset} of a mirror template', () => {
    expect(expandDownloadUrl('https://ghes.example.com/mirror/k6/{version}/{tag}/{asset}', '2.2.0', 'k6-v2.2.0-checksums.txt')).toBe(
      'https://ghes.example.com/mirror/k6/2.2.0/v2.2.0/k6-v2.2.0-checksums.txt',
    );
  });

  it('refuses a template without {asset}, quoting it', () => {
    expect(() => expandDownloadUrl('https://mirror.example.com/k6/', '2.2.0', 'x')).toThrow(
      /"https:\/\/mirror\.example\.com\/k6\/" has no \{asset\} placeholder/,
    );
  });

  it('refuses a template that is not an http(s) URL', () => {
    expect(() => expandDownloadUrl('ftp://mirror/{asset}', '2.2.0', 'x')).toThrow(/uses ftp:; expected an http/);
    expect(() => expandDownloadUrl('mirror/{asset}', '2.2.0', 'x')).toThrow(/does not make a URL/);
  });

  it('masks credentials and query strings in URLs shown in logs', () => {
    expect(displayUrl('https://user:s3cret@mirror.example.com/k6/a.zip?token=abc')).toBe('https://***@mirror.example.com/k6/a.zip?***');
    expect(displayUrl('https://mirror.example.com/k6/a.zip')).toBe('https://mirror.example.com/k6/a.zip');
  });
});

describe('Go module paths', () => {
  it.each([
    ['0.49.0', 'go.k6.io/k6'],
    ['1.8.1', 'go.k6.io/k6'],
    ['2.2.0', 'go.k6.io/k6/v2'],
    ['3.0.0-rc1', 'go.k6.io/k6/v3'],
  ])('k6 %s lives in %s', (version, modulePath) => {
    expect(k6ModulePath(version)).toBe(modulePath);
  });

  it('writes a go.mod that requires the pinned module version', () => {
    expect(k6BuildGoMod('2.2.0')).toBe('module k6build\n\ngo 1.24\n\nrequire go.k6.io/k6/v2 v2.2.0\n');
    expect(k6BuildGoMod('1.8.1')).toContain('require go.k6.io/k6 v1.8.1\n');
  });
});

describe('tool cache location', () => {
  const home = '/home/ada';
  it('uses the runner tool cache on GitHub', () => {
    expect(
      defaultToolCacheLocation(
        'linux',
        { RUNNER_TOOL_CACHE: '/opt/hostedtoolcache', RUNNER_TEMP: '/home/runner/work/_temp' },
        home,
        '/tmp',
      ),
    ).toEqual({
      toolCacheDir: '/opt/hostedtoolcache',
      tempDir: '/home/runner/work/_temp',
    });
  });

  it('uses XDG_CACHE_HOME, else ~/.cache, on Linux', () => {
    expect(defaultToolCacheLocation('linux', { XDG_CACHE_HOME: '/var/cache/ada' }, home, '/tmp')).toEqual({
      toolCacheDir: '/var/cache/ada/k6-gate/tool-cache',
      tempDir: '/var/cache/ada/k6-gate/tmp',
    });
    expect(defaultToolCacheLocation('linux', {}, home, '/tmp').toolCacheDir).toBe('/home/ada/.cache/k6-gate/tool-cache');
    // A relative XDG_CACHE_HOME is invalid by the spec and ignored.
    expect(defaultToolCacheLocation('linux', { XDG_CACHE_HOME: 'cache' }, home, '/tmp').toolCacheDir).toBe(
      '/home/ada/.cache/k6-gate/tool-cache',
    );
  });

  it('uses ~/Library/Caches on macOS and %LOCALAPPDATA% on Windows', () => {
    expect(defaultToolCacheLocation('darwin', {}, '/Users/ada', '/tmp').toolCacheDir).toBe('/Users/ada/Library/Caches/k6-gate/tool-cache');
    expect(defaultToolCacheLocation('win32', { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'C:\\Users\\ada', 'C:\\Temp')).toEqual({
      toolCacheDir: 'C:\\Users\\ada\\AppData\\Local\\k6-gate\\tool-cache',
      tempDir: 'C:\\Users\\ada\\AppData\\Local\\k6-gate\\tmp',
    });
  });
});

describe('parsers', () => {
  it('reads sha256sum lines, text and binary mode', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    const sums = parseChecksums(`${a}  k6-v2.2.0-linux-amd64.tar.gz\n${b} *k6-v2.2.0-windows-amd64.zip\r\nnot a line\n`);
    expect(sums.get('k6-v2.2.0-linux-amd64.tar.gz')).toBe(a);
    expect(sums.get('k6-v2.2.0-windows-amd64.zip')).toBe('b'.repeat(64));
    expect(sums.size).toBe(2);
  });

  it('reads the version from `k6 version` output', () => {
    expect(parseK6VersionOutput('k6 v2.2.0 (go1.26.8, linux/amd64)\n')).toBe('2.2.0');
    expect(parseK6VersionOutput('k6 v0.49.0 (commit/devel, go1.21.6, linux/amd64)\nExtensions:\n  github.com/x/xk6-y v0.1.0')).toBe(
      '0.49.0',
    );
    expect(parseK6VersionOutput('k6 v1.0.0-rc1 (go1.24.1, darwin/arm64)')).toBe('1.0.0-rc1');
    expect(parseK6VersionOutput('v20.11.0')).toBeUndefined();
    expect(parseK6VersionOutput('k6-2.2.0 v2.2.0 (go1.26.8, linux/amd64)\n')).toBe('2.2.0');
    expect(parseK6VersionOutput('node v20.11.0\n')).toBeUndefined();
  });
});
