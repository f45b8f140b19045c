# The process job as a container (deploy config jobRuntime: "fargate"). Built by `cdk deploy`
# (lib/processing.ts) for linux/arm64; the bundle is made with the same esbuild options as the
# Lambda functions (lib/bundling.ts via bench/bundles.ts --only: ESM, minified, tree-shaken, the
# AWS SDK v3 bundled, never external), so both run the same code. The Node major of both images is
# the esbuild target, i.e. the Lambda runtime's (test/infra/job-image.test.ts checks it).
# EventBridge starts it with UPLOCK_S3_BUCKET / UPLOCK_S3_KEY; UPLOCK_CONFIG comes from the task
# definition.

# Bundling output is plain JavaScript, so build on the builder's own platform (no emulation).
FROM --platform=$BUILDPLATFORM public.ecr.aws/docker/library/node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: only esbuild's own platform binary (an optional dependency) is needed.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY lib ./lib
COPY lambdas ./lambdas
COPY bench/bundles.ts ./bench/bundles.ts

RUN npx tsx bench/bundles.ts --only process-task --outdir /out

FROM public.ecr.aws/docker/library/node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/process-task/ /app/
USER node
CMD ["node", "--enable-source-maps", "/app/index.mjs"]
