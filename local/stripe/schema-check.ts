/**
 * Checks objects against Stripe's published schemas (../shared/stripe/schemas.json, API version
 * 2023-08-16). Used by the stand-in's tests; other tests may use it to check their fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// shared/ sits beside the repository (on developer machines and in CI alike).
const besideRepo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/stripe/schemas.json');
export const STRIPE_SCHEMAS_PATH =
  process.env.STRIPE_SCHEMAS_PATH ?? (existsSync(besideRepo) ? besideRepo : '/work/shared/stripe/schemas.json');

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
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`);
}
