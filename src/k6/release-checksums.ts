// The SHA-256 of k6's own release archives, as k6 publishes them in `k6-vX.Y.Z-checksums.txt` on
// its release page, for the versions k6-gate knows. A mirror serves an archive and could serve a
// checksums file to match; these values do not come from the mirror, so an archive a mirror
// replaced is refused. Each value here was found recorded, identical, in several unrelated public
// projects that pin k6's release archives. Adding a version: copy its lines from that version's
// checksums file on k6's release page; never compute them from a download.
import type { K6ReleasePlatform } from './system.js';

export const K6_RELEASE_SHA256: Readonly<Record<string, Readonly<Partial<Record<K6ReleasePlatform, string>>>>> = {
  '2.2.0': {
    'linux-amd64': 'b5a8003c86f35f5cd5ceef1490312c48e587696c94d998cefc6d7b3b4cb1597d',
    'linux-arm64': '4ecd64cadcc792402d16293836115480419c4447c032858f564852d98f1bf54c',
    'macos-amd64': '45a08590511c8a6a9c6331645e60c41624924e848e29472e87c60ac956d50372',
    'macos-arm64': '37a028506bf13578de66c906296803775df28cc2504b1a8c5d786b2803e757c7',
    'windows-amd64': 'ceb2b1e1cf9dbe1303c6c33ec83ffda86dda5c610b4def92064d3c7ebae8d9f4',
  },
};
