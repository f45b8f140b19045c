/**
 * Which Stripe events were handled, with Powertools' idempotency utility on the order table
 * (docs/architecture.md §4, item `STRIPE_EVENT#<hash of the event id>`). An event is IN PROGRESS from
 * the moment a handler takes it until handleStripeEvent returned, with an expiry at the function's
 * deadline (the Lambda context's remaining time), and COMPLETED afterwards, for 7 days (Stripe
 * retries for 3). A redelivery while it is in progress gets IdempotencyAlreadyInProgressError
 * (the handlers answer 5xx, so Stripe retries); one after the in-progress expiry — the first
 * attempt was killed — takes the event over and handles it again, which core makes safe; one
 * after completion gets the stored outcome without running anything. A handler that throws has
 * its record deleted, so the retry runs at once.
 *
 * dynalite ignores ReturnValuesOnConditionCheckFailure; Powertools then reads the record back
 * itself (IdempotencyHandler), so the semantics hold on the local cloud too.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config';
import { EVENT_MEMORY_SECONDS, handleStripeEvent, type EventDeps, type EventOutcome, type StripeEvent } from '../core/stripe-events';
import { dynamoSettings, once } from './clients';

/** The items' own key prefix on the shared table. */
export const STRIPE_EVENT_KEY_PREFIX = 'STRIPE_EVENT';

export type IdempotentEventHandler = (event: StripeEvent, context: Context) => Promise<EventOutcome>;

export function idempotentStripeEvents(deps: EventDeps, persistence: DynamoDBPersistenceLayer): IdempotentEventHandler {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds: EVENT_MEMORY_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  // makeIdempotent registers the context (its second argument) so the in-progress expiry follows it.
  return makeIdempotent((event: StripeEvent, _context: Context) => handleStripeEvent(event, deps), {
    persistenceStore: persistence,
    config,
    keyPrefix: STRIPE_EVENT_KEY_PREFIX,
  });
}

/** The process-wide persistence layer on the order table. */
export const eventPersistence = once((): DynamoDBPersistenceLayer => {
  const config = loadConfig();
  const client = new DynamoDBClient(dynamoSettings(config));
  return new DynamoDBPersistenceLayer({ tableName: config.tableName, keyAttr: 'pk', expiryAttr: 'expiresAt', awsSdkV3Client: client });
});

/** True for the error a redelivery gets while the first attempt is still running. */
export const isInProgress = (error: unknown): boolean => (error as { name?: string } | null)?.name === 'IdempotencyAlreadyInProgressError';

/**
 * The sweeper's way into the same records (core/sweep.ts): an event already handled returns its
 * stored outcome without running anything; one whose in-progress record expired (its first
 * attempt was killed) is taken over; one in progress elsewhere is `in_progress`, for the next
 * sweep. An attempt the sweeper takes is in progress until the sweeper's own deadline (epoch ms),
 * whether a Lambda context or `uplock sweep` set it.
 */
export function recoverStripeEvents(deps: EventDeps, persistence: DynamoDBPersistenceLayer): (event: StripeEvent, deadline: number) => Promise<EventOutcome | 'in_progress'> {
  const handle = idempotentStripeEvents(deps, persistence);
  return async (event, deadline) => {
    try {
      return await handle(event, contextUntil(deadline));
    } catch (error) {
      if (isInProgress(error)) return 'in_progress';
      throw error;
    }
  };
}

/** What Powertools reads of a Lambda context: the time left. */
function contextUntil(deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'uplock-sweeper',
    functionVersion: '$LATEST',
    invokedFunctionArn: '',
    memoryLimitInMB: '0',
    awsRequestId: '',
    logGroupName: '',
    logStreamName: '',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
