// The shape of a baseline file, checked against schemas/baseline.schema.json — the one statement of
// format v1, also what editors use — and its first problem said the way a person fixes it:
// `$.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].accepted is null; expected a number`.
// The words after "expected" come from the schema's `x-expected` annotations, or from the failed
// keyword (a number, one of …). What a schema cannot state (a key that matches its scenario, a
// ratio from 0 to 1 for a rate, accepted = the median of its history) is checked in format.ts.
//
// The check itself is ajv's code for the schema, generated ahead of time
// (scripts/baseline-validator.mjs → generated/baseline-validator.js, kept current by a test):
// compiling the schema at run time cost about 30 ms of every run that reads a baseline. This module
// is loaded with import() by format.ts only when a baseline file is read.
import type { ErrorObject } from 'ajv';
import schema from '../../schemas/baseline.schema.json' with { type: 'json' };
import { validate as check } from './generated/baseline-validator.js';
import { child, quote } from './json-path.js';

type SchemaNode = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  'x-expected'?: string;
  'x-names'?: string;
};

function resolve(node: SchemaNode): SchemaNode {
  let at = node;
  while (at.$ref) {
    const name = at.$ref.replace('#/definitions/', '');
    at = (schema.definitions as Record<string, SchemaNode>)[name];
  }
  return at;
}

/** The schema node and the `$.a["b"][0]` path of a JSON pointer into the data. */
function locate(pointer: string): { where: string; node: SchemaNode } {
  let node = resolve(schema as SchemaNode);
  let where = '$';
  const parts = pointer === '' ? [] : pointer.slice(1).split('/');
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node.properties?.[part]) {
      where = `${where}.${part}`;
      node = resolve(node.properties[part]);
    } else if (node.items) {
      where = `${where}[${part}]`;
      node = resolve(node.items);
    } else {
      where = child(where, part);
      node = typeof node.additionalProperties === 'object' ? resolve(node.additionalProperties) : {};
    }
  }
  return { where, node };
}

function valueAt(data: unknown, pointer: string): unknown {
  let at = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    at = (at as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

/** What a value of this schema node should have been, in words. */
function expectedOf(node: SchemaNode): string {
  if (node['x-expected']) return node['x-expected'];
  if (node.enum) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('number')) return types.includes('null') ? 'a number or null' : 'a number';
  if (types.includes('string')) return 'a string';
  if (types.includes('array')) return 'a list';
  return 'an object';
}

/** The key a propertyNames problem is about (ajv puts it on the error or in its params). */
function propertyNameOf(error: ErrorObject): string | undefined {
  return error.propertyName ?? (error.params as { propertyName?: string }).propertyName;
}

function sentence(error: ErrorObject, data: unknown): string {
  const { where, node } = locate(error.instancePath);
  const value = valueAt(data, error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      return `${where}.${name} is not part of baseline format v1; expected only ${Object.keys(node.properties ?? {}).join(', ')}`;
    }
    case 'required': {
      const name = (error.params as { missingProperty: string }).missingProperty;
      return `${where}.${name} is missing; expected ${expectedOf(resolve(node.properties?.[name] ?? {}))}`;
    }
    case 'propertyNames':
    case 'pattern': {
      const name = propertyNameOf(error);
      if (name !== undefined) {
        const names = node.propertyNames ?? {};
        return `${child(where, name)} names ${names['x-names'] ?? 'key'} ${quote(name)}; expected ${expectedOf(names)}`;
      }
      return `${where} is ${quote(value)}; expected ${expectedOf(node)}`;
    }
    case 'minimum':
    case 'maximum':
      return `${where} is ${quote(value)}; expected a measured value of at most ${Math.abs((error.params as { limit: number }).limit)} (no k6 metric gets there)`;
    case 'minLength':
      return `${where} is ${quote(value)}; expected ${node['x-expected'] ?? 'a non-empty string'}`;
    default:
      return `${where} is ${quote(value)}; expected ${expectedOf(node)}`;
  }
}

/** Which of several problems to name: a misspelt field explains the "missing" one next to it. */
function rank(error: ErrorObject): number {
  if (error.keyword === 'additionalProperties') return 0;
  if (error.keyword === 'propertyNames') return 2;
  if (error.keyword === 'pattern' && propertyNameOf(error) !== undefined) return 3; // reported with its propertyNames
  return 1;
}

/** The first problem of the file's shape as a sentence (without the file name), or undefined when it fits. */
export function baselineShapeProblem(data: unknown): string | undefined {
  if (check(data)) return undefined;
  const errors = [...(check.errors ?? [])];
  // Stable: among equally useful problems the first in the file's order wins.
  const first = errors.map((error, index) => ({ error, index })).sort((a, b) => rank(a.error) - rank(b.error) || a.index - b.index)[0];
  return sentence(first.error, data);
}
