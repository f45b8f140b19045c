/**
 * cdk-nag names a finding by the flattened resource it is about (`Resource::<Bucket.Arn>/uploads/*`).
 * The same ARN flattens differently when the stack's account and region are known (literal
 * `us-east-1`) or not (`<AWS::Region>`), so acknowledgements build their ids from the real token
 * rather than a hard-coded string. Mirrors cdk-nag's flattenCfnReference.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub'] !== undefined) return flatten(o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (o['Fn::ImportValue'] !== undefined) return flatten(o['Fn::ImportValue']);
    if (o.Ref !== undefined) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** How cdk-nag will print this (possibly token-bearing) string in a finding id. */
export function nagText(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

/** `AwsSolutions-IAM5[Resource::…]` for a wildcard resource. */
export function iam5Resource(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${nagText(scope, resource)}]`;
}
