/**
 * The layer table of docs/architecture.md §2, checked with dependency-cruiser
 * (.dependency-cruiser.cjs). Through its API: its command line refuses Node 20, the API runs.
 */
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };

it('every import follows the layer table', async () => {
  const result = await cruise(['lambdas', 'lib', 'local', 'frontend/src', 'bin'], {
    ...config.options,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
  } as never);
  const output = result.output as { modules: { source: string }[]; summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  // It read the code it is meant to guard.
  expect(output.modules.map((m) => m.source)).toContain('lambdas/core/delivery.ts');
  expect(output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
});
