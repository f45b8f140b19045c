/**
 * DynamoDB over its JSON protocol (`POST /`, `X-Amz-Target: DynamoDB_20120810.<Op>`), with the
 * plain-object ⇄ attribute-value conversion that lib-dynamodb's DocumentClient did for us, for
 * the types the order store uses: S, N, BOOL, NULL, M, L. Undefined values are dropped (the old
 * client's `removeUndefinedValues`).
 */
import { AwsError, AwsHttpClient, serviceUrl, type CredentialsProvider } from './aws-http';

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] };

export type Item = Record<string, unknown>;

export class MarshallError extends Error {
  override name = 'MarshallError';
}

/** One JavaScript value as a DynamoDB attribute value. */
export function marshallValue(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (!Number.isFinite(value)) throw new MarshallError(`cannot store ${value} in DynamoDB`);
      return { N: String(value) };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      if (Array.isArray(value)) return { L: value.filter((v) => v !== undefined).map(marshallValue) };
      return { M: marshall(value as Item) };
    default:
      throw new MarshallError(`cannot store a ${typeof value} in DynamoDB`);
  }
}

/** A plain object as a DynamoDB item (undefined members left out). */
export function marshall(item: Item): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(item)) if (value !== undefined) out[key] = marshallValue(value);
  return out;
}

/** One DynamoDB attribute value as a JavaScript value (numbers as `number`). */
export function unmarshallValue(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return unmarshall(value.M);
  if ('L' in value) return value.L.map(unmarshallValue);
  throw new MarshallError(`unsupported DynamoDB attribute type ${Object.keys(value as object).join(',')}`);
}

export function unmarshall(item: Record<string, AttributeValue>): Item {
  const out: Item = {};
  for (const [key, value] of Object.entries(item)) out[key] = unmarshallValue(value);
  return out;
}

interface ExpressionInput {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Item;
}

export interface GetInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly ConsistentRead?: boolean;
}
export interface PutInput extends ExpressionInput {
  readonly TableName: string;
  readonly Item: Item;
}
export interface UpdateInput extends ExpressionInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly UpdateExpression: string;
  readonly ReturnValues?: 'ALL_NEW';
}
export interface DeleteInput extends ExpressionInput {
  readonly TableName: string;
  readonly Key: Item;
}
export interface QueryInput {
  readonly TableName: string;
  readonly IndexName?: string;
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues: Item;
  readonly ScanIndexForward?: boolean;
  readonly Limit?: number;
}

export interface ScanInput {
  readonly TableName: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Item;
  readonly ExclusiveStartKey?: Item;
}

/** True when a conditional write was refused because its condition did not hold. */
export const isConditionFailure = (error: unknown): boolean => error instanceof AwsError && error.code === 'ConditionalCheckFailedException';

/** Marshall the members of a request that carry values; leave the rest as they are. */
function encodeInput(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const member of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    const value = (input as Record<string, unknown>)[member];
    if (value !== undefined) out[member] = marshall(value as Item);
  }
  return out;
}

export class DynamoDocumentClient {
  private readonly url: string;

  constructor(
    private readonly http: AwsHttpClient,
    endpoint: string,
  ) {
    this.url = endpoint;
  }

  static create(opts: { region: string; endpoint?: string; credentials: CredentialsProvider }): DynamoDocumentClient {
    const http = new AwsHttpClient({ service: 'dynamodb', region: opts.region, credentials: opts.credentials });
    return new DynamoDocumentClient(http, serviceUrl(opts.endpoint, `dynamodb.${opts.region}.amazonaws.com`) + '/');
  }

  private async call(operation: string, input: object): Promise<Record<string, unknown>> {
    const response = await this.http.send({
      method: 'POST',
      url: this.url,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body: JSON.stringify(encodeInput(input)),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  async get(input: GetInput): Promise<{ Item?: Item }> {
    const out = await this.call('GetItem', input);
    return out.Item ? { Item: unmarshall(out.Item as Record<string, AttributeValue>) } : {};
  }

  async put(input: PutInput): Promise<void> {
    await this.call('PutItem', input);
  }

  async update(input: UpdateInput): Promise<{ Attributes?: Item }> {
    const out = await this.call('UpdateItem', input);
    return out.Attributes ? { Attributes: unmarshall(out.Attributes as Record<string, AttributeValue>) } : {};
  }

  async delete(input: DeleteInput): Promise<void> {
    await this.call('DeleteItem', input);
  }

  async scan(input: ScanInput): Promise<{ Items: Item[]; LastEvaluatedKey?: Item }> {
    const out = await this.call('Scan', input);
    const last = out.LastEvaluatedKey as Record<string, AttributeValue> | undefined;
    return { Items: ((out.Items as Record<string, AttributeValue>[] | undefined) ?? []).map(unmarshall), ...(last ? { LastEvaluatedKey: unmarshall(last) } : {}) };
  }

  async query(input: QueryInput): Promise<{ Items: Item[] }> {
    const out = await this.call('Query', input);
    return { Items: ((out.Items as Record<string, AttributeValue>[] | undefined) ?? []).map(unmarshall) };
  }
}
