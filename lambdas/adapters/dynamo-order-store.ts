/**
 * OrderStore on one DynamoDB table (docs/architecture.md §4), through lib-dynamodb's
 * DynamoDBDocumentClient. Items: `ORDER#<id>`, `TOKEN#<sha256>`, `EVENT#<stripe event id>`,
 * `PI#<payment intent>`, `RATE#…`. Each transition is one conditional UpdateItem: no
 * transactions, because the local DynamoDB (dynalite) has none and the design needs none.
 * A condition that does not hold (`ConditionalCheckFailedException`) becomes `false`; throttling
 * and 5xx answers are retried by the SDK's own retry strategy before anything reaches here.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type GetCommandInput,
  type PutCommandInput,
  type QueryCommandInput,
  type ScanCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config';
import { dynamoSettings, once } from './clients';
import type { OrderId } from '../core/ids';
import { jobStatesBefore, paymentStatesBefore, paymentTimelineEntry, type JobError, type Order, type PaymentState } from '../core/order';
import type { OpenCheckout } from '../core/checkout';
import type { JobClaim, JobClaimRequest } from '../core/job';
import type { EarlyEvents } from '../core/stripe-events';
import type { EraseRequestRecord, Tombstone } from '../core/erase';
import type { TimelineEntry } from '../contract';
import type { ConsumeResult, OrderStore, PaymentRecord, TokenRecord } from '../ports/order-store';

const orderKey = (orderId: string) => ({ pk: `ORDER#${orderId}` });
const tokenKey = (hash: string) => ({ pk: `TOKEN#${hash}` });
const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}` });
const tombstoneKey = (orderId: string) => ({ pk: `ERASED#${orderId}` });
const eraseRequestKey = (hash: string) => ({ pk: `ERASE#${hash}` });

/** Token items outlive their links by this long so that late clicks get "expired", not "unknown". */
const TOKEN_ITEM_GRACE_SECONDS = 30 * 24 * 3600;

/** True when a conditional write was refused because its condition did not hold. */
export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';

/** Run a conditional write; `false` when its condition did not hold. */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** `:s0, :s1…` placeholders for an IN (…) condition. */
function inList(prefix: string, values: readonly string[]): { expr: string; names: Record<string, string> } {
  const names: Record<string, string> = {};
  values.forEach((v, i) => (names[`:${prefix}${i}`] = v));
  return { expr: Object.keys(names).join(', '), names };
}

export interface OrderItem extends Omit<Order, 'deliveryClaim' | 'jobClaim' | 'rerunClaim'> {
  pk: string;
  rerunRevision?: number;
  rerunClaimExpiresAt?: number;
  claimId?: string;
  claimAt?: number;
  jobAttempts?: number;
  jobClaimExpiresAt?: number;
  tokenHashes?: string[];
}

/** An order item as core's Order (also read by adapters/dynamo-sweep-store.ts). */
export function toOrder(item: OrderItem): Order {
  const { pk: _pk, claimId, claimAt, tokenHashes: _tokens, jobAttempts, jobClaimExpiresAt, rerunRevision, rerunClaimExpiresAt, ...rest } = item;
  return {
    ...rest,
    ...(rerunRevision !== undefined ? { rerunClaim: { revision: rerunRevision, expiresAt: rerunClaimExpiresAt ?? 0 } } : {}),
    ...(claimId !== undefined && claimAt !== undefined ? { deliveryClaim: { id: claimId, at: claimAt } } : {}),
    ...(jobAttempts !== undefined ? { jobClaim: { attempts: jobAttempts, expiresAt: jobClaimExpiresAt ?? 0 } } : {}),
  };
}

type Item = Record<string, unknown>;

/** The six item operations the store uses, as plain calls on the document client. */
class Table {
  constructor(private readonly doc: DynamoDBDocumentClient) {}

  async get(input: GetCommandInput): Promise<{ Item?: Item }> {
    const out = await this.doc.send(new GetCommand(input));
    return out.Item ? { Item: out.Item } : {};
  }

  async put(input: PutCommandInput): Promise<void> {
    await this.doc.send(new PutCommand(input));
  }

  async update(input: UpdateCommandInput): Promise<{ Attributes?: Item }> {
    const out = await this.doc.send(new UpdateCommand(input));
    return out.Attributes ? { Attributes: out.Attributes } : {};
  }

  async delete(input: DeleteCommandInput): Promise<void> {
    await this.doc.send(new DeleteCommand(input));
  }

  async query(input: QueryCommandInput): Promise<{ Items: Item[] }> {
    const out = await this.doc.send(new QueryCommand(input));
    return { Items: out.Items ?? [] };
  }

  async scan(input: ScanCommandInput): Promise<{ Items: Item[]; LastEvaluatedKey?: Item }> {
    const out = await this.doc.send(new ScanCommand(input));
    return { Items: out.Items ?? [], ...(out.LastEvaluatedKey ? { LastEvaluatedKey: out.LastEvaluatedKey } : {}) };
  }
}

/**
 * The document client the store speaks through: plain objects in and out, numbers as `number`,
 * undefined members left out of items (an optional field of an Order is simply absent).
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export class DynamoOrderStore implements OrderStore {
  private readonly db: Table;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.db = new Table(doc);
  }

  async markSmoke(orderId: OrderId): Promise<void> {
    await this.db.update({
      TableName: this.tableName,
      Key: orderKey(orderId),
      UpdateExpression: 'SET smoke = :true',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':true': true },
    });
  }

  async createOrder(order: Order): Promise<void> {
    const { deliveryClaim: _claim, jobClaim: _jobClaim, rerunClaim: _rerunClaim, ...rest } = order;
    await this.db.put({
      TableName: this.tableName,
      Item: { ...orderKey(order.orderId), ...rest },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  async getOrder(orderId: OrderId): Promise<Order | undefined> {
    const out = await this.db.get({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true });
    return out.Item ? toOrder(out.Item as unknown as OrderItem) : undefined;
  }

  private moveJob(orderId: OrderId, to: Order['job'], set: string, values: Record<string, unknown>, attempt?: number): Promise<boolean> {
    const from = inList('from', jobStatesBefore(to));
    // With an attempt, only the run that holds the job's claim may move it (core/job.ts).
    const holder = attempt === undefined ? '' : ' AND jobAttempts = :attempt';
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: `SET #job = :to${set}`,
        ConditionExpression: `attribute_exists(pk) AND #job IN (${from.expr})${holder}`,
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':to': to, ...from.names, ...values, ...(attempt === undefined ? {} : { ':attempt': attempt }) },
      }),
    );
  }

  async startJob(orderId: OrderId, claim: JobClaimRequest): Promise<JobClaim | undefined> {
    // A new job, or one whose claim expired (its run was killed) with attempts left. Orders
    // written before claims had an expiry count as expired.
    try {
      const out = await this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression:
          'SET #job = :processing, jobStartedAt = :started, jobClaimExpiresAt = :expires, jobAttempts = if_not_exists(jobAttempts, :zero) + :one REMOVE jobProgress',
        ConditionExpression:
          'attribute_exists(pk) AND (#job = :awaiting OR (#job = :processing AND (attribute_not_exists(jobClaimExpiresAt) OR jobClaimExpiresAt < :now) AND (attribute_not_exists(jobAttempts) OR jobAttempts < :max)))',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: {
          ':processing': 'processing',
          ':awaiting': 'awaiting_upload',
          ':started': new Date(claim.now).toISOString(),
          ':expires': claim.expiresAt,
          ':now': claim.now,
          ':max': claim.maxAttempts,
          ':zero': 0,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      });
      return { attempt: Number(out.Attributes?.jobAttempts ?? 1) };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  finishJob(orderId: OrderId, primaryArtifact: string, attempt?: number, resultFiles?: readonly string[]): Promise<boolean> {
    return this.moveJob(
      orderId,
      'done',
      `, primaryArtifact = :primary${resultFiles === undefined ? '' : ', resultFiles = :files'}, jobEndedAt = :now, jobProgress = :hundred REMOVE jobClaimExpiresAt`,
      { ':primary': primaryArtifact, ...(resultFiles === undefined ? {} : { ':files': [...resultFiles] }), ':now': new Date().toISOString(), ':hundred': 100 },
      attempt,
    );
  }

  failJob(orderId: OrderId, error: JobError, attempt?: number): Promise<boolean> {
    return this.moveJob(
      orderId,
      'failed',
      ', jobError = :error, jobEndedAt = :now REMOVE jobClaimExpiresAt',
      { ':error': { code: error.code, message: error.message }, ':now': new Date().toISOString() },
      attempt,
    );
  }

  async setJobProgress(orderId: OrderId, attempt: number, progress: number): Promise<void> {
    await conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET jobProgress = :progress',
        ConditionExpression: '#job = :processing AND jobAttempts = :attempt',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':progress': progress, ':processing': 'processing', ':attempt': attempt },
      }),
    );
  }

  async expiredJobs(now: number, limit: number): Promise<Order[]> {
    // A filtered scan: the table holds orders for their retention (30 days by default) plus their
    // tokens, a few thousand items for a shop of a thousand orders a month, read 1 MB a page.
    const found: Order[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.scan({
        TableName: this.tableName,
        FilterExpression: '#job = :processing AND (attribute_not_exists(jobClaimExpiresAt) OR jobClaimExpiresAt < :now)',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':processing': 'processing', ':now': now },
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.Items) if (String(item.pk).startsWith('ORDER#')) found.push(toOrder(item as unknown as OrderItem));
      start = page.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found.slice(0, limit);
  }

  setPayment(orderId: OrderId, to: PaymentState, record?: PaymentRecord, opts?: { onlySession?: string }): Promise<boolean> {
    const from = inList('from', paymentStatesBefore(to));
    const sets = ['payment = :to', 'paymentUpdatedAt = :now'];
    const values: Record<string, unknown> = { ':to': to, ...from.names, ':now': new Date().toISOString() };
    if (record) {
      sets.push('sessionId = :sid', 'amount = :amount', 'currency = :currency');
      Object.assign(values, { ':sid': record.sessionId, ':amount': record.amount, ':currency': record.currency });
      if (record.paymentIntentId) {
        sets.push('paymentIntentId = :pi');
        values[':pi'] = record.paymentIntentId;
      }
      if (record.payerEmail) {
        sets.push('payerEmail = :payer');
        values[':payer'] = record.payerEmail;
      }
    }
    if (to === 'refunded') sets.push('refundedAt = :now');
    // The first time it was paid: what `uplock stats` measures pay → email from.
    if (to === 'paid') sets.push('paidAt = if_not_exists(paidAt, :now)');
    // A delayed payment starting and failing have no field of their own: they go on the order's
    // timeline (`uplock orders show`) in this same conditional write, so the entry exists exactly
    // when the move happened, and a replayed event, which cannot move the state again, adds none.
    const entry = paymentTimelineEntry(to, values[':now'] as string, record?.sessionId ?? opts?.onlySession);
    if (entry) {
      sets.push('history = list_append(if_not_exists(history, :emptyHistory), :paymentEntry)');
      Object.assign(values, { ':emptyHistory': [], ':paymentEntry': [entry] });
    }
    let sessionCondition = '';
    if (opts?.onlySession) {
      sessionCondition = ' AND sessionId = :only';
      values[':only'] = opts.onlySession;
    }
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND payment IN (${from.expr})${sessionCondition}`,
        ExpressionAttributeValues: values,
      }),
    );
  }

  claimDelivery(orderId: OrderId, claimId: string, now: number, staleBefore: number): Promise<boolean> {
    // Mirrors core's deliveryDue(): job done, paid, not delivered, no live claim.
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET claimId = :claim, claimAt = :now',
        ConditionExpression:
          '#job = :done AND payment = :paid AND attribute_not_exists(deliveredAt) AND attribute_not_exists(disputedAt) AND (attribute_not_exists(claimAt) OR claimAt < :stale)',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':claim': claimId, ':now': now, ':done': 'done', ':paid': 'paid', ':stale': staleBefore },
      }),
    );
  }

  async releaseDelivery(orderId: OrderId, claimId: string): Promise<void> {
    await conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'REMOVE claimId, claimAt',
        ConditionExpression: 'claimId = :claim',
        ExpressionAttributeValues: { ':claim': claimId },
      }),
    );
  }

  markDelivered(orderId: OrderId, claimId: string, tokenHash: string, at: string): Promise<boolean> {
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET deliveredAt = :at, tokenHashes = list_append(if_not_exists(tokenHashes, :empty), :hash) REMOVE claimAt',
        ConditionExpression: 'claimId = :claim AND attribute_not_exists(deliveredAt)',
        ExpressionAttributeValues: { ':at': at, ':empty': [], ':hash': [tokenHash], ':claim': claimId },
      }),
    );
  }

  async putToken(token: TokenRecord): Promise<void> {
    const written = await conditional(() => this.db.put({
      TableName: this.tableName,
      Item: {
        ...tokenKey(token.hash),
        orderId: token.orderId,
        downloadsLeft: token.downloadsLeft,
        linkExpiresAt: token.expiresAt,
        revoked: token.revoked,
        expiresAt: token.expiresAt + TOKEN_ITEM_GRACE_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    if (written) return;
    // Delivery tokens are derived (core/tokens.ts): an earlier attempt of the same delivery, or
    // the SDK's retry of this very write, left the item. Keep it (its count, its revocation);
    // refuse only a hash that belongs to another order.
    const out = await this.db.get({ TableName: this.tableName, Key: tokenKey(token.hash), ConsistentRead: true });
    if (String(out.Item?.orderId) !== token.orderId) throw new Error('download token hash already belongs to another order');
  }

  async consumeToken(hash: string, nowSeconds: number): Promise<ConsumeResult> {
    try {
      const out = await this.db.update({
        TableName: this.tableName,
        Key: tokenKey(hash),
        UpdateExpression: 'SET downloadsLeft = downloadsLeft - :one',
        ConditionExpression: 'attribute_exists(pk) AND downloadsLeft > :zero AND linkExpiresAt > :now AND revoked = :false',
        ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':now': nowSeconds, ':false': false },
        ReturnValues: 'ALL_NEW',
      });
      return { ok: true, token: toToken(hash, out.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.db.get({ TableName: this.tableName, Key: tokenKey(hash), ConsistentRead: true });
      return out.Item ? { ok: false, token: toToken(hash, out.Item) } : { ok: false };
    }
  }

  async revokeTokens(orderId: OrderId): Promise<number> {
    const out = await this.db.get({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true });
    const hashes = ((out.Item as unknown as OrderItem | undefined)?.tokenHashes ?? []);
    for (const hash of hashes) {
      await this.db.update({
        TableName: this.tableName,
        Key: tokenKey(hash),
        UpdateExpression: 'SET revoked = :true',
        ExpressionAttributeValues: { ':true': true },
      });
    }
    return hashes.length;
  }

  async attachToken(token: TokenRecord): Promise<void> {
    await this.putToken(token);
    await this.db.update({
      TableName: this.tableName,
      Key: orderKey(token.orderId),
      UpdateExpression: 'SET tokenHashes = list_append(if_not_exists(tokenHashes, :empty), :hash)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':empty': [], ':hash': [token.hash] },
    });
  }

  async ordersByEmail(email: string, limit: number): Promise<Order[]> {
    const out = await this.db.query({
      TableName: this.tableName,
      IndexName: 'byEmail',
      KeyConditionExpression: 'email = :email',
      ExpressionAttributeValues: { ':email': email },
      ScanIndexForward: false,
      Limit: limit,
    });
    return out.Items.filter((i) => String(i.pk).startsWith('ORDER#')).map((i) => toOrder(i as unknown as OrderItem));
  }

  hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    const window = Math.floor(now / windowSeconds);
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: { pk: `RATE#${key}#${window}` },
        UpdateExpression: 'ADD hits :one SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': (window + 1) * windowSeconds + 60 },
      }),
    );
  }

  async linkPaymentIntent(paymentIntentId: string, orderId: OrderId): Promise<EarlyEvents> {
    // Refund and dispute events name the PaymentIntent, not the order: remember which it paid,
    // keeping any refund or dispute that arrived first.
    const out = await this.db.update({
      TableName: this.tableName,
      Key: { pk: `PI#${paymentIntentId}` },
      UpdateExpression: 'SET orderId = :order',
      ExpressionAttributeValues: { ':order': orderId },
      ReturnValues: 'ALL_NEW',
    });
    return { ...(out.Attributes?.refunded === true ? { refunded: true } : {}), ...(out.Attributes?.disputed === true ? { disputed: true } : {}) };
  }

  async noteEarly(paymentIntentId: string, what: keyof EarlyEvents): Promise<void> {
    await this.db.update({
      TableName: this.tableName,
      Key: { pk: `PI#${paymentIntentId}` },
      UpdateExpression: 'SET #what = :true, expiresAt = if_not_exists(expiresAt, :expires)',
      ExpressionAttributeNames: { '#what': what },
      ExpressionAttributeValues: { ':true': true, ':expires': Math.floor(Date.now() / 1000) + 90 * 86400 },
    });
  }

  async orderIdForPaymentIntent(paymentIntentId: string): Promise<OrderId | undefined> {
    const out = await this.db.get({ TableName: this.tableName, Key: { pk: `PI#${paymentIntentId}` }, ConsistentRead: true });
    // A PI# item made by noteEarly before the payment was linked names no order yet.
    const orderId = out.Item?.orderId;
    return typeof orderId === 'string' ? (orderId as OrderId) : undefined;
  }

  markDisputed(orderId: OrderId): Promise<boolean> {
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET disputedAt = if_not_exists(disputedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
  }

  setCheckoutSession(orderId: OrderId, session: OpenCheckout, replacing?: string): Promise<boolean> {
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET checkoutSession = :session',
        ConditionExpression: replacing
          ? 'attribute_exists(pk) AND checkoutSession.id = :replacing'
          : 'attribute_exists(pk) AND attribute_not_exists(checkoutSession)',
        ExpressionAttributeValues: { ':session': session, ...(replacing ? { ':replacing': replacing } : {}) },
      }),
    );
  }

  async clearCheckoutSession(orderId: OrderId, sessionId: string): Promise<void> {
    await conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'REMOVE checkoutSession',
        ConditionExpression: 'checkoutSession.id = :id',
        ExpressionAttributeValues: { ':id': sessionId },
      }),
    );
  }

  rememberEvent(eventId: string, ttlSeconds: number): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    return conditional(() =>
      this.db.put({
        TableName: this.tableName,
        Item: { ...eventKey(eventId), processedAt: new Date().toISOString(), expiresAt: now + ttlSeconds },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async seenEvent(eventId: string): Promise<boolean> {
    const out = await this.db.get({ TableName: this.tableName, Key: eventKey(eventId), ConsistentRead: true });
    return out.Item !== undefined;
  }

  async forgetEvent(eventId: string): Promise<void> {
    await this.db.delete({ TableName: this.tableName, Key: eventKey(eventId) });
  }

  // --- The operator's actions (core/operations.ts) and erasure (core/erase.ts) -----------------

  async recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void> {
    await conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET history = list_append(if_not_exists(history, :empty), :entry)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':empty': [], ':entry': [entry] },
      }),
    );
  }

  async tokenHashesOf(orderId: OrderId): Promise<string[]> {
    const out = await this.db.get({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true, ProjectionExpression: 'tokenHashes' });
    return [...new Set(((out.Item as { tokenHashes?: string[] } | undefined)?.tokenHashes ?? []).map(String))];
  }

  async tokensOfOrder(orderId: OrderId): Promise<TokenRecord[]> {
    const tokens: TokenRecord[] = [];
    for (const hash of await this.tokenHashesOf(orderId)) {
      const out = await this.db.get({ TableName: this.tableName, Key: tokenKey(hash), ConsistentRead: true });
      if (out.Item) tokens.push(toToken(hash, out.Item));
    }
    return tokens;
  }

  extendToken(hash: string, expected: { downloadsLeft: number; expiresAt: number }, next: { downloadsLeft: number; expiresAt: number }): Promise<boolean> {
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: tokenKey(hash),
        UpdateExpression: 'SET downloadsLeft = :left, linkExpiresAt = :link, expiresAt = :item',
        ConditionExpression: 'attribute_exists(pk) AND revoked = :false AND downloadsLeft = :oldLeft AND linkExpiresAt = :oldLink',
        ExpressionAttributeValues: {
          ':left': next.downloadsLeft,
          ':link': next.expiresAt,
          ':item': next.expiresAt + TOKEN_ITEM_GRACE_SECONDS,
          ':false': false,
          ':oldLeft': expected.downloadsLeft,
          ':oldLink': expected.expiresAt,
        },
      }),
    );
  }

  claimRerun(orderId: OrderId, revision: number, now: number, expiresAt: number): Promise<boolean> {
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET rerunRevision = :revision, rerunClaimExpiresAt = :expires',
        ConditionExpression: 'attribute_exists(pk) AND #job = :done AND (attribute_not_exists(rerunClaimExpiresAt) OR rerunClaimExpiresAt < :now)',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':revision': revision, ':expires': expiresAt, ':done': 'done', ':now': now },
      }),
    );
  }

  finishRerun(orderId: OrderId, revision: number, primaryArtifact: string, resultFiles: readonly string[]): Promise<boolean> {
    return conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'SET resultRevision = :revision, primaryArtifact = :primary, resultFiles = :files REMOVE rerunRevision, rerunClaimExpiresAt',
        ConditionExpression: 'rerunRevision = :revision',
        ExpressionAttributeValues: { ':revision': revision, ':primary': primaryArtifact, ':files': [...resultFiles] },
      }),
    );
  }

  async releaseRerun(orderId: OrderId, revision: number): Promise<void> {
    await conditional(() =>
      this.db.update({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: 'REMOVE rerunRevision, rerunClaimExpiresAt',
        ConditionExpression: 'rerunRevision = :revision',
        ExpressionAttributeValues: { ':revision': revision },
      }),
    );
  }

  async getTombstone(orderId: OrderId): Promise<Tombstone | undefined> {
    const out = await this.db.get({ TableName: this.tableName, Key: tombstoneKey(orderId), ConsistentRead: true });
    if (!out.Item) return undefined;
    const paymentIntentId = out.Item.paymentIntentId;
    return { orderId, erasedAt: String(out.Item.erasedAt), ...(typeof paymentIntentId === 'string' ? { paymentIntentId } : {}) };
  }

  async putTombstone(tombstone: Tombstone): Promise<void> {
    // No TTL: a dispute can arrive months after the payment, and the item holds no personal data.
    await conditional(() =>
      this.db.put({
        TableName: this.tableName,
        Item: { ...tombstoneKey(tombstone.orderId), ...tombstone },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async deleteTokens(hashes: readonly string[]): Promise<number> {
    let existed = 0;
    for (const hash of hashes) {
      const out = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: tokenKey(hash), ReturnValues: 'ALL_OLD' }));
      if (out.Attributes) existed++;
    }
    return existed;
  }

  deleteOrder(orderId: OrderId): Promise<boolean> {
    return conditional(() => this.db.delete({ TableName: this.tableName, Key: orderKey(orderId), ConditionExpression: 'attribute_exists(pk)' }));
  }

  async putEraseRequest(record: EraseRequestRecord): Promise<void> {
    await this.db.put({
      TableName: this.tableName,
      Item: { ...eraseRequestKey(record.hash), orderId: record.orderId, linkExpiresAt: record.expiresAt, expiresAt: record.expiresAt + 3600 },
    });
  }

  async getEraseRequest(hash: string): Promise<EraseRequestRecord | undefined> {
    const out = await this.db.get({ TableName: this.tableName, Key: eraseRequestKey(hash), ConsistentRead: true });
    if (!out.Item) return undefined;
    return { hash, orderId: String(out.Item.orderId) as OrderId, expiresAt: Number(out.Item.linkExpiresAt ?? 0) };
  }

  async deleteEraseRequest(hash: string): Promise<void> {
    await this.db.delete({ TableName: this.tableName, Key: eraseRequestKey(hash) });
  }
}

function toToken(hash: string, item: Record<string, unknown> | undefined): TokenRecord {
  return {
    hash,
    orderId: String(item?.orderId) as OrderId,
    downloadsLeft: Number(item?.downloadsLeft ?? 0),
    expiresAt: Number(item?.linkExpiresAt ?? 0),
    revoked: item?.revoked === true,
  };
}

/** The process-wide OrderStore, configured from the one config object. */
export const orderStore = once((): OrderStore => {
  const config = loadConfig();
  return new DynamoOrderStore(documentClient(new DynamoDBClient(dynamoSettings(config))), config.tableName);
});
