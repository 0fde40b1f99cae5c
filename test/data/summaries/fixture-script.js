// The k6 script the recorded summaries in this folder were made with (see README.md).
import http from 'k6/http';
import { check } from 'k6';

const base = __ENV.BASE_URL || 'http://127.0.0.1:18080';
const crossed = __ENV.CROSS_THRESHOLD === '1';

export const options = {
  vus: 2,
  duration: '3s',
  thresholds: {
    // With CROSS_THRESHOLD=1 the p(95) bound is impossible to meet, so k6 exits 99.
    http_req_duration: [crossed ? 'p(95)<0.001' : 'p(95)<5000', 'avg<5000'],
    'http_req_duration{name:root}': ['p(99)<5000'],
    checks: ['rate>0.9'],
    http_req_failed: ['rate<0.6'],
  },
};

export default function () {
  const res = http.get(`${base}/`, { tags: { name: 'root' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
  http.get(`${base}/missing-page`, { tags: { name: 'missing' } });
}
