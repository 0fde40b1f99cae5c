// In-memory state of the demo target: catalog, users, sessions, items, agent tasks and reports.
// Every collection is capped so that a long benchmark against the demo cannot grow memory without end.
import { randomBytes, randomUUID } from 'node:crypto';

export interface Product {
  id: number;
  name: string;
  price: number;
  stock: number;
}

export interface Item {
  id: string;
  owner: string;
  name: string;
  description: string;
  quantity: number;
  createdAt: string;
  updatedAt: string;
}

export interface AgentTask {
  id: string;
  contextId: string;
  kind: 'task';
  status: { state: 'completed' | 'canceled'; timestamp: string };
  artifacts: Array<{ artifactId: string; parts: Array<{ kind: 'text'; text: string }> }>;
}

export interface Report {
  id: string;
  createdAt: number;
  readyAt: number;
}

const MAX_USERS = 100_000;
const MAX_SESSIONS = 100_000;
const MAX_ITEMS = 100_000;
const MAX_TASKS = 10_000;
const MAX_REPORTS = 10_000;

/** Seeded accounts so that a "login as an existing user" flow works without registering first. */
export const DEMO_USERS = Array.from({ length: 10 }, (_, i) => ({ username: `demo-user-${i + 1}`, password: 'demo-password' }));

/** Map insertion order is age order, so dropping the first key drops the oldest entry. */
function capped<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}

export class DemoStore {
  readonly products: Product[];
  private readonly users = new Map<string, string>();
  private readonly sessions = new Map<string, string>();
  private readonly items = new Map<string, Item>();
  /** Item ids per owner, oldest first, so listing does not scan every user's items. */
  private readonly itemsByOwner = new Map<string, Set<string>>();
  private readonly tasks = new Map<string, AgentTask>();
  private readonly reports = new Map<string, Report>();

  constructor() {
    this.products = Array.from({ length: 20 }, (_, i) => ({
      id: i + 1,
      name: `Product ${i + 1}`,
      price: Math.round((5 + ((i * 37) % 95) + 0.99) * 100) / 100,
      stock: (i * 13) % 50,
    }));
    for (const user of DEMO_USERS) this.users.set(user.username, user.password);
  }

  register(username: string, password: string): 'created' | 'exists' {
    if (this.users.has(username)) return 'exists';
    this.users.set(username, password);
    capped(this.users, MAX_USERS);
    return 'created';
  }

  login(username: string, password: string): string | undefined {
    if (this.users.get(username) !== password) return undefined;
    const token = randomBytes(18).toString('base64url');
    this.sessions.set(token, username);
    capped(this.sessions, MAX_SESSIONS);
    return token;
  }

  userForToken(token: string | undefined): string | undefined {
    return token === undefined ? undefined : this.sessions.get(token);
  }

  logout(token: string): boolean {
    return this.sessions.delete(token);
  }

  createItem(owner: string, fields: { name: string; description: string; quantity: number }): Item {
    const now = new Date().toISOString();
    const item: Item = { id: randomUUID(), owner, ...fields, createdAt: now, updatedAt: now };
    this.items.set(item.id, item);
    let owned = this.itemsByOwner.get(owner);
    if (!owned) this.itemsByOwner.set(owner, (owned = new Set()));
    owned.add(item.id);
    while (this.items.size > MAX_ITEMS) {
      const oldest = this.items.keys().next();
      if (oldest.done) break;
      this.removeItem(oldest.value);
    }
    return item;
  }

  /** Other users' items do not exist for the caller (404, not 403), like most multi-tenant APIs. */
  getItem(owner: string, id: string): Item | undefined {
    const item = this.items.get(id);
    return item && item.owner === owner ? item : undefined;
  }

  listItems(owner: string, limit: number): Item[] {
    const ids = [...(this.itemsByOwner.get(owner) ?? [])];
    const out: Item[] = [];
    for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) {
      const item = this.items.get(ids[i]);
      if (item) out.push(item);
    }
    return out;
  }

  updateItem(owner: string, id: string, fields: Partial<Pick<Item, 'name' | 'description' | 'quantity'>>): Item | undefined {
    const item = this.getItem(owner, id);
    if (!item) return undefined;
    Object.assign(item, fields, { updatedAt: new Date().toISOString() });
    return item;
  }

  deleteItem(owner: string, id: string): boolean {
    if (!this.getItem(owner, id)) return false;
    this.removeItem(id);
    return true;
  }

  private removeItem(id: string): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.delete(id);
    const owned = this.itemsByOwner.get(item.owner);
    owned?.delete(id);
    if (owned && owned.size === 0) this.itemsByOwner.delete(item.owner);
  }

  saveTask(task: AgentTask): void {
    this.tasks.set(task.id, task);
    capped(this.tasks, MAX_TASKS);
  }

  getTask(id: string): AgentTask | undefined {
    return this.tasks.get(id);
  }

  createReport(readyInMs: number): Report {
    const now = Date.now();
    const report: Report = { id: randomUUID(), createdAt: now, readyAt: now + readyInMs };
    this.reports.set(report.id, report);
    capped(this.reports, MAX_REPORTS);
    return report;
  }

  getReport(id: string): Report | undefined {
    return this.reports.get(id);
  }
}
