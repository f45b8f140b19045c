/**
 * Checks objects against Stripe's published schemas (../shared/stripe/schemas.json, API version
 * 2023-08-16) and Stripe's own example objects of 2026 (../shared/stripe/fixtures.json). The
 * stand-in speaks the version the `stripe` package pins (objects.ts), whose types `tsc` holds it
 * to; the 2023 schemas still check values and nesting the types cannot (formats, enums of that
 * time), except for the fields the pinned version removed (DROPPED_SINCE_SCHEMAS). Used by the
 * stand-in's tests; other tests may use it to check their fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// shared/ sits beside the repository (on developer machines and in CI alike).
const sharedFile = (name: string): string => {
  const besideRepo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/stripe', name);
  return existsSync(besideRepo) ? besideRepo : `/work/shared/stripe/${name}`;
};
export const STRIPE_SCHEMAS_PATH = process.env.STRIPE_SCHEMAS_PATH ?? sharedFile('schemas.json');
export const STRIPE_FIXTURES_PATH = process.env.STRIPE_FIXTURES_PATH ?? sharedFile('fixtures.json');

/**
 * Required in the 2023-08-16 schemas, gone from the pinned version (its types and Stripe's 2026
 * example objects no longer have them): `product.features` became `marketing_features`.
 */
export const DROPPED_SINCE_SCHEMAS: Readonly<Record<string, readonly string[]>> = {
  product: ['features'],
};

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => void;

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaName: string): ValidateFunction {
  let validate = compiled.get(schemaName);
  if (validate) return validate;
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('unix-time', true);
    ajv.addFormat('decimal', true);
    ajv.addSchema(JSON.parse(readFileSync(STRIPE_SCHEMAS_PATH, 'utf8')) as object, 'stripe');
  }
  validate = ajv.getSchema(`stripe#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`No schema named ${schemaName} in ${STRIPE_SCHEMAS_PATH}`);
  compiled.set(schemaName, validate);
  return validate;
}

/** Problems found, as `path: message` lines; empty when the object is valid. */
export function stripeSchemaErrors(schemaName: string, value: unknown): string[] {
  const validate = validatorFor(schemaName);
  if (validate(value)) return [];
  const dropped = DROPPED_SINCE_SCHEMAS[schemaName] ?? [];
  return (validate.errors ?? [])
    .filter((e) => !(e.instancePath === '' && e.keyword === 'required' && dropped.includes(String((e.params as { missingProperty?: string }).missingProperty))))
    .map((e) => `${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`);
}

let fixtures: Record<string, Record<string, unknown>> | undefined;

/** Stripe's own 2026 example object of a type (`checkout.session`, `payment_link`, `event`, `refund`, `price`, `product`). */
export function stripeFixture(type: string): Record<string, unknown> {
  fixtures ??= (JSON.parse(readFileSync(STRIPE_FIXTURES_PATH, 'utf8')) as { resources: Record<string, Record<string, unknown>> }).resources;
  const fixture = fixtures[type];
  if (!fixture) throw new Error(`No fixture for ${type} in ${STRIPE_FIXTURES_PATH}`);
  return fixture;
}

/**
 * How an object's top-level fields differ from Stripe's 2026 example of its type: fields the
 * example has and the object lacks (`missing`), fields the object has and the example lacks
 * (`extra`; fine when the version's type declares them optional), and fields whose JSON kind
 * differs where neither is null (`kind`: object vs string vs number…).
 */
export function fixtureDifferences(type: string, value: object): { missing: string[]; extra: string[]; kind: string[] } {
  const fixture = stripeFixture(type);
  const object = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return {
    missing: Object.keys(fixture).filter((k) => !(k in object)).sort(),
    extra: Object.keys(object).filter((k) => !(k in fixture)).sort(),
    kind: Object.keys(fixture)
      .filter((k) => k in object && fixture[k] !== null && object[k] !== null && kindOf(fixture[k]) !== kindOf(object[k]))
      .map((k) => `${k}: ${kindOf(object[k])}, example has ${kindOf(fixture[k])}`),
  };
}
