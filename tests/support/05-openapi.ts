/**
 * Lesson 05's helpers: read an OpenAPI 3.1 document the way a client would, and check values
 * against the JSON Schemas it declares (OpenAPI 3.1 schemas are JSON Schema 2020-12).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';

type Json = Record<string, unknown>;

export interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Json }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The operation at `paths[path][method]`, or undefined. */
export function operationOf(document: unknown, method: string, path: string): Operation | undefined {
  if (!isObject(document) || !isObject(document.paths)) return undefined;
  const item = document.paths[path];
  return isObject(item) && isObject(item[method]) ? (item[method] as Operation) : undefined;
}

/** Follows a local `$ref` ("#/components/schemas/Todo") inside the document. */
function follow(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported here, got ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isObject(node) ? node[key] : undefined;
  }
  if (node === undefined) throw new Error(`the document has no ${ref}`);
  return node;
}

/** A copy of `schema` with every local $ref replaced by what it points to (no cycles expected). */
export function inline(document: unknown, schema: unknown, depth = 0): unknown {
  if (depth > 50) throw new Error('$refs nest more than 50 deep: a recursive schema?');
  if (Array.isArray(schema)) return schema.map((entry) => inline(document, entry, depth + 1));
  if (!isObject(schema)) return schema;
  const { $ref, ...rest } = schema;
  const resolved = typeof $ref === 'string' ? inline(document, follow(document as Json, $ref), depth + 1) : undefined;
  const own = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, inline(document, value, depth + 1)]));
  // In 2020-12 a $ref may sit beside other keywords: both apply.
  return resolved === undefined ? own : Object.keys(own).length === 0 ? resolved : { allOf: [resolved, own] };
}

/** A validator for a schema taken from the document: returns the errors, [] when valid. */
export function validatorFor(document: unknown, schema: unknown): (value: unknown) => string[] {
  // strict: false lets OpenAPI's own keywords (example, discriminator, xml...) through.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(inline(document, schema) as Json);
  return (value) => {
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? error.keyword}`);
  };
}

/** The schema a response declares for `status` as application/json, or undefined. */
export function responseSchema(operation: Operation | undefined, status: number): Json | undefined {
  return operation?.responses?.[String(status)]?.content?.['application/json']?.schema;
}

/** The JSON request body schema of an operation, or undefined. */
export function requestSchema(operation: Operation | undefined): Json | undefined {
  return operation?.requestBody?.content?.['application/json']?.schema;
}
