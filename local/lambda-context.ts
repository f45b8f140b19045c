/**
 * A Lambda context for handlers run by the local cloud, with a real deadline: Powertools'
 * idempotency sets an in-progress record's expiry from `getRemainingTimeInMillis()`, so the same
 * code takes over a crashed attempt after the same wait as in AWS. The local cloud does not stop
 * a handler at its deadline (Lambda would); the deadline only tells the handler how long it has.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The stack's function timeout (lib/uplock-function.ts): what the handlers get by default. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 10_000;

export function lambdaContext(functionName: string, timeoutMs = DEFAULT_FUNCTION_TIMEOUT_MS): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
