/**
 * Reading synthesized templates in tests: render CloudFormation intrinsics to readable strings
 * (`<Bucket.Arn>/uploads/*`) and collect the IAM grants of one role as `action resource` lines.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Intrinsics as text: Ref X -> <X>, GetAtt X.Y -> <X.Y>, Join -> concatenation. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(',');
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') return `<${String(arg)}>`;
    if (entries.length === 1 && key === 'Fn::GetAtt' && Array.isArray(arg)) return `<${arg.map(String).join('.')}>`;
    if (entries.length === 1 && key === 'Fn::Join' && Array.isArray(arg)) {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    if (entries.length === 1 && key?.startsWith('Fn::')) return `<${key}>`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** Replace every intrinsic inside a Fn::Join with a placeholder string, and join. */
export function joinWithPlaceholders(value: unknown, placeholder: (intrinsic: unknown, index: number) => string): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return placeholder(value, 0);
  let i = 0;
  return join[1].map((part) => (typeof part === 'string' ? part : placeholder(part, i++))).join(join[0]);
}

export function logicalId(construct: IConstruct): string {
  const cfn = construct.node.defaultChild ?? construct;
  return Stack.of(construct).getLogicalId(cfn as CfnElement);
}

/** What a token resolves to in this stack, rendered like the template. */
export function renderToken(stack: Stack, token: string): string {
  return render(stack.resolve(token));
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface Grant {
  action: string;
  resource: string;
  condition?: string;
}

/** Every Allow statement of every policy attached to the role, one line per action x resource. */
export function grantsOfRole(template: Template, roleLogicalId: string): Grant[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles?: Json[]; PolicyDocument: { Statement: Json[] } } }>;
  const grants: Grant[] = [];
  for (const policy of Object.values(policies)) {
    const attached = asArray(policy.Properties.Roles).some((r) => render(r) === `<${roleLogicalId}>`);
    if (!attached) continue;
    for (const raw of policy.Properties.PolicyDocument.Statement) {
      const st = raw as { Effect: string; Action: string | string[]; Resource: Json | Json[]; Condition?: Json };
      if (st.Effect !== 'Allow') continue;
      for (const action of asArray(st.Action)) {
        for (const resource of asArray(st.Resource)) {
          grants.push({ action, resource: render(resource), ...(st.Condition ? { condition: JSON.stringify(st.Condition) } : {}) });
        }
      }
    }
  }
  return grants;
}

export const grantLines = (grants: Grant[]): string[] =>
  grants.map((g) => `${g.action} ${g.resource}${g.condition ? ` if ${g.condition}` : ''}`).sort();

/**
 * Stable snapshot: asset hashes and keys change with every code edit, so strip them (the
 * aws-cdk-examples normalize-template idea).
 */
export function normalizeTemplate(template: unknown): unknown {
  const text = JSON.stringify(template)
    .replace(/[0-9a-f]{64}(\.zip|\.json)?/g, 'ASSET_HASH$1')
    .replace(/"cdk-hnb659fds-[^"]*"/g, '"BOOTSTRAP"');
  return JSON.parse(text);
}
