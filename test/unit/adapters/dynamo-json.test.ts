import { describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../../lambdas/adapters/aws-http';
import { DynamoDocumentClient, isConditionFailure, marshall, MarshallError, unmarshall } from '../../../lambdas/adapters/dynamo-json';
import { fakeFetch, jsonResponse } from './fake-fetch';

describe('marshall / unmarshall', () => {
  it.each([
    ['a string', 'a', { S: 'a' }],
    ['an empty string', '', { S: '' }],
    ['an integer', 42, { N: '42' }],
    ['a fraction', -1.5, { N: '-1.5' }],
    ['true', true, { BOOL: true }],
    ['false', false, { BOOL: false }],
    ['null', null, { NULL: true }],
    ['a list', ['x', 1], { L: [{ S: 'x' }, { N: '1' }] }],
    ['an empty list', [], { L: [] }],
    ['a map', { id: 's', n: 2 }, { M: { id: { S: 's' }, n: { N: '2' } } }],
  ])('stores %s', (_what, value, attribute) => {
    expect(marshall({ v: value })).toEqual({ v: attribute });
    expect(unmarshall({ v: attribute } as Parameters<typeof unmarshall>[0])).toEqual({ v: value });
  });

  it('leaves undefined members out, at every depth', () => {
    expect(marshall({ a: undefined, b: { c: undefined, d: 1 }, e: [undefined, 'x'] })).toEqual({ b: { M: { d: { N: '1' } } }, e: { L: [{ S: 'x' }] } });
  });

  it('round-trips an order item', () => {
    const item = { pk: 'ORDER#1', job: 'done', size: 1024, jobError: { code: 'too_big', message: 'm' }, tokenHashes: ['h1'], revoked: false, checkoutSession: null };
    expect(unmarshall(marshall(item))).toEqual(item);
  });

  it.each([['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['a function', () => 1], ['a bigint', 1n]])('refuses %s', (_what, value) => {
    expect(() => marshall({ v: value })).toThrow(MarshallError);
  });
});

describe('DynamoDocumentClient', () => {
  const client = (fetch: typeof globalThis.fetch) =>
    new DynamoDocumentClient(
      new AwsHttpClient({ service: 'dynamodb', region: 'us-east-1', credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'S' }), fetch, backoffBaseMs: 1 }),
      'http://127.0.0.1:4567/',
    );

  it('sends UpdateItem on the JSON protocol with marshalled keys and values, and unmarshalls the answer', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch(jsonResponse(200, { Attributes: { downloadsLeft: { N: '4' }, revoked: { BOOL: false } } }));

    // Act
    const out = await client(fetch).update({
      TableName: 't',
      Key: { pk: 'TOKEN#h' },
      UpdateExpression: 'SET downloadsLeft = downloadsLeft - :one',
      ConditionExpression: 'revoked = :false',
      ExpressionAttributeValues: { ':one': 1, ':false': false },
      ReturnValues: 'ALL_NEW',
    });

    // Assess
    expect(calls[0]?.headers.get('x-amz-target')).toBe('DynamoDB_20120810.UpdateItem');
    expect(calls[0]?.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({
      TableName: 't',
      Key: { pk: { S: 'TOKEN#h' } },
      UpdateExpression: 'SET downloadsLeft = downloadsLeft - :one',
      ConditionExpression: 'revoked = :false',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':false': { BOOL: false } },
      ReturnValues: 'ALL_NEW',
    });
    expect(out).toEqual({ Attributes: { downloadsLeft: 4, revoked: false } });
  });

  it.each([
    ['GetItem', (c: DynamoDocumentClient) => c.get({ TableName: 't', Key: { pk: 'p' }, ConsistentRead: true })],
    ['PutItem', (c: DynamoDocumentClient) => c.put({ TableName: 't', Item: { pk: 'p' } })],
    ['DeleteItem', (c: DynamoDocumentClient) => c.delete({ TableName: 't', Key: { pk: 'p' } })],
    ['Query', (c: DynamoDocumentClient) => c.query({ TableName: 't', IndexName: 'byEmail', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': 'a@b.c' } })],
  ])('names %s in X-Amz-Target', async (operation, call) => {
    const { fetch, calls } = fakeFetch(jsonResponse(200, {}));
    await call(client(fetch));
    expect(calls[0]?.headers.get('x-amz-target')).toBe(`DynamoDB_20120810.${operation}`);
  });

  it('answers a GetItem for a missing item with no Item', async () => {
    const { fetch } = fakeFetch(jsonResponse(200, {}));
    await expect(client(fetch).get({ TableName: 't', Key: { pk: 'p' } })).resolves.toEqual({});
  });

  it('reports a failed condition as a condition failure, without retrying', async () => {
    const { fetch, calls } = fakeFetch(
      jsonResponse(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }),
    );
    const error = await client(fetch).put({ TableName: 't', Item: { pk: 'p' }, ConditionExpression: 'attribute_not_exists(pk)' }).catch((e: unknown) => e);
    expect(isConditionFailure(error)).toBe(true);
    expect(calls).toHaveLength(1);
  });
});
