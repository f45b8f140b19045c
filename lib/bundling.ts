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

/** esbuild target matching `lambdaRuntime`. */
export const esbuildTarget = 'node24';

/**
 * ESM bundles still meet CommonJS dependencies that call `require` for Node built-ins; give them
 * one. The alias avoids clashing with any `createRequire` the bundle itself declares.
 */
export const esmRequireBanner = "import{createRequire as __uplockCreateRequire}from'node:module';const require=__uplockCreateRequire(import.meta.url);";

/** Prefer packages' ESM builds so esbuild can tree-shake the AWS SDK. */
export const mainFields = ['module', 'main'];

/**
 * The esbuild build options, in esbuild's own API shape (the benchmark passes them to
 * `esbuild.build`). AWS SDK v3 is bundled, not taken from the runtime: a pinned, tree-shaken SDK
 * starts faster and behaves the same everywhere.
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
    externalModules: [...esbuildOptions.external],
    // esbuild is a local dependency: no Docker needed to synth or deploy.
    forceDockerBundling: false,
  };
}

/** Source file of a handler or job: `lambdas/handlers/<name>.ts`. */
export function handlerEntry(name: string, dir: string = handlersDir): string {
  return path.join(dir, `${name}.ts`);
}
