// The k6 script of the custom-Trend recordings in this folder (see README.md): a time Trend with a
// telling name (login_duration), a time Trend without one (checkout), a plain Trend (cart_items),
// a Counter, and `count` among the trend stats on the command line.
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';

const base = __ENV.BASE_URL || 'http://127.0.0.1:18080';
const login = new Trend('login_duration', true);
const checkout = new Trend('checkout', true);
const cartItems = new Trend('cart_items');
const orders = new Counter('orders');

export const options = {
  vus: 2,
  duration: '2s',
  thresholds: { login_duration: ['p(95)<5000'], checks: ['rate>0.9'] },
};

export default function () {
  const res = http.get(`${base}/`, { tags: { name: 'root' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
  login.add(res.timings.duration);
  checkout.add(res.timings.waiting * 2);
  cartItems.add(1 + (__ITER % 3));
  orders.add(1);
}
