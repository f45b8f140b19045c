/**
 * The layer table of docs/architecture.md §2, enforced by `npm test`
 * (test/unit/architecture.test.ts runs depcruise with this file).
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'lambdas/core/ imports nothing outside core, except the shared types (lambdas/contract.ts) and Node built-ins',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: { pathNot: ['^lambdas/core/', '^lambdas/contract\\.ts$'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'contract-has-no-imports',
      severity: 'error',
      from: { path: '^lambdas/contract\\.ts$' },
      to: {},
    },
    {
      name: 'lambdas-not-infra-or-local',
      comment: 'handler code runs in Lambda: it never imports the CDK app, the local cloud or tests',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: ['^lib/', '^local/', '^bin/', '^test/', '^frontend/', 'aws-cdk-lib', '^node_modules/constructs/'] },
    },
    {
      name: 'ports-and-adapters-not-handlers',
      severity: 'error',
      from: { path: '^lambdas/(ports|adapters)/' },
      to: { path: '^lambdas/handlers/' },
    },
    {
      name: 'frontend-nothing-server-side',
      comment: 'the pages import only their own modules (and lambdas/contract.ts: types and constants, no imports of its own)',
      severity: 'error',
      from: { path: '^frontend/' },
      to: { path: ['^lambdas/(?!contract\\.ts$)', '^lib/', '^local/', '^bin/'] },
    },
    {
      name: 'lib-not-local',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: ['^local/', '^test/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['node_modules', 'frontend/dist', 'cdk.out'] },
  },
};
