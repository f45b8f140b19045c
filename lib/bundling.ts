/**
 * How every handler is bundled, in one place: the CDK construct (lib/uplock-function.ts) and the
 * bundle benchmark (bench/bundles.ts) both derive their esbuild settings from these constants, so
 * the sizes the benchmark prints are the sizes that ship.
 */
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { Runtime, Architecture } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Repository root (lib/ is one level below it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const handlersDir = path.join(repoRoot, 'lambdas', 'handlers');

/** The newest Node.js runtime this aws-cdk-lib knows (cdk-nag's L1 asks for the latest). */
export const lambdaRuntime = Runtime.NODEJS_24_X;
/** Graviton: about 20 % cheaper per GB-second than x86 for the same work. */
export const lambdaArchitecture = Architecture.ARM_64;

/** esbuild target = the Node version of `lambdaRuntime` (`nodejs24.x` → `node24`), so the two cannot drift. */
export const esbuildTarget = lambdaRuntime.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/**
 * ESM bundles still meet CommonJS dependencies that call `require` for Node built-ins; give them
 * one. The alias avoids clashing with any `createRequire` the bundle itself declares.
 */
export const esmRequireBanner = "import{createRequire as __uplockCreateRequire}from'node:module';const require=__uplockCreateRequire(import.meta.url);";

/** Prefer packages' ESM builds so esbuild can tree-shake the AWS SDK. */
export const mainFields = ['module', 'main'];

/**
 * The SDK's default credential chain, swapped for the two links a bundle can meet (the Lambda
 * environment, a container's credentials endpoint): see lambdas/adapters/runtime-credentials.ts
 * for why this is correct where the bundles run and what it saves. Bundles only: unbundled code
 * (the local cloud, tests, the `uplock` tool) keeps the SDK's own chain.
 */
export const credentialsAlias = {
  '@aws-sdk/credential-provider-node': path.join(repoRoot, 'lambdas', 'adapters', 'runtime-credentials.ts'),
} as const;

/**
 * The esbuild build options, in esbuild's own API shape (the benchmark and the Fargate image's
 * Dockerfile pass them to `esbuild.build` through bench/bundles.ts). AWS SDK v3, Powertools and
 * the Stripe SDK are bundled, minified and tree-shaken (ESM builds first), never external: the
 * Lambda runtime's own SDK copy is unpinned and, loaded unbundled from its node_modules, measured
 * about twice as slow to a first call (docs/architecture.md §9).
 */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: esbuildTarget,
  minify: true,
  // Linked map file: Node's --enable-source-maps follows the sourceMappingURL comment.
  sourcemap: true,
  sourcesContent: false,
  mainFields,
  banner: { js: esmRequireBanner },
  alias: credentialsAlias,
  external: [] as string[],
} as const;

/** The same settings as `aws-lambda-nodejs` bundling options. */
export function nodejsBundlingOptions(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: esbuildOptions.target,
    minify: esbuildOptions.minify,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: esbuildOptions.sourcesContent,
    mainFields: [...esbuildOptions.mainFields],
    banner: esbuildOptions.banner.js,
    // Bundle @aws-sdk/* and @smithy/* too (the construct's default marks them external).
    bundleAwsSDK: true,
    // esbuild is a local dependency: no Docker needed to synth or deploy.
    forceDockerBundling: false,
    // The construct has no `alias` prop; esbuild's CLI flag is `--alias:<package>=<path>`.
    esbuildArgs: Object.fromEntries(Object.entries(credentialsAlias).map(([name, file]) => [`--alias:${name}`, file])),
  };
}

/** Source file of a handler or job: `lambdas/handlers/<name>.ts`. */
export function handlerEntry(name: string, dir: string = handlersDir): string {
  return path.join(dir, `${name}.ts`);
}
