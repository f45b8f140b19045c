/**
 * The deploy-time Stripe wiring (custom resource) and what it feeds: its handler's least
 * privilege, the properties that make CloudFormation re-run it, the Payment Link / Price ids in
 * every handler's UPLOCK_CONFIG (unless the deploy config names its own link), and a template
 * without dependency cycles. Also the lists lib/ keeps in step with lambdas/ by hand.
 * Handlers are not bundled here (stack.test.ts does that).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPlaceholderSecret } from '../../lambdas/adapters/stripe-wiring';
import { parseConfig } from '../../lambdas/config';
import { acceptedExtensions as profileExtensions } from '../../lambdas/processors/profile/index';
import { repoRoot } from '../../lib/bundling';
import { parseDeployConfig, type DeployConfig } from '../../lib/config';
import { REWIRE_CONTEXT, SECRET_PLACEHOLDER } from '../../lib/payments';
import { UplockStack } from '../../lib/uplock-stack';
import { cdkJson, defaultConfig, fakeFrontend, synthesize, type Synthesized } from './support';
import { grantLines, grantsOfRole, joinWithPlaceholders, logicalId, render } from './template-tools';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }>;

function configWith(stripe: Record<string, unknown>): DeployConfig {
  const defaults = cdkJson.context.uplock as Record<string, unknown> & { stripe: Record<string, unknown> };
  return parseDeployConfig({ ...defaults, stripe: { ...defaults.stripe, ...stripe } });
}

/** UPLOCK_CONFIG of a function with every intrinsic rendered (`<Logical.Attr>`). */
function stripeConfigOf(template: Template, functionLogicalId: string): Record<string, unknown> {
  const resource = template.findResources('AWS::Lambda::Function')[functionLogicalId] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  const json = joinWithPlaceholders(resource.Properties.Environment.Variables.UPLOCK_CONFIG, (x) => render(x).replace(/"/g, ''));
  return (JSON.parse(json) as { stripe: Record<string, unknown> }).stripe;
}

/**
 * UPLOCK_CONFIG as the function would see it: the wiring's attributes replaced by `wired` values
 * ('' when not given: the not-yet-wired case), every other intrinsic by a host name.
 */
function configJsonWith(template: Template, functionLogicalId: string, wiringLogicalId: string, wired: Record<string, string>): string {
  const resource = template.findResources('AWS::Lambda::Function')[functionLogicalId] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  return joinWithPlaceholders(resource.Properties.Environment.Variables.UPLOCK_CONFIG, (x, i) => {
    const getAtt = (x as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    return getAtt?.[0] === wiringLogicalId ? (wired[getAtt[1]] ?? '') : `token${i}.example`;
  });
}

/** Every other resource a resource needs first: Ref, Fn::GetAtt, ${X} in Fn::Sub, DependsOn. */
function dependencies(resources: Resources): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const visit = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, into));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'Ref' && typeof value === 'string') into.add(value);
      else if (key === 'Fn::GetAtt' && Array.isArray(value)) into.add(String(value[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(value) ? String(value[0]) : String(value);
        for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) if (m[1]) into.add(m[1]);
        visit(value, into);
      } else visit(value, into);
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const into = new Set<string>();
    visit(resource.Properties ?? {}, into);
    for (const dep of [resource.DependsOn ?? []].flat()) into.add(dep);
    graph.set(id, new Set([...into].filter((d) => d in resources && d !== id)));
  }
  return graph;
}

/** The first cycle found, as a path of logical ids, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stackPath: string[] = [];
  const walk = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...stackPath.slice(stackPath.indexOf(id)), id];
    state.set(id, 'open');
    stackPath.push(id);
    for (const dep of graph.get(id) ?? []) {
      const cycle = walk(dep);
      if (cycle) return cycle;
    }
    stackPath.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of graph.keys()) {
    const cycle = walk(id);
    if (cycle) return cycle;
  }
  return undefined;
}

function dependsOn(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(graph.get(id) ?? []));
  }
  return false;
}

let synth: Synthesized;
let stack: UplockStack;
let template: Template;
let wiringId: string;

beforeAll(() => {
  synth = synthesize({ bundle: false });
  stack = synth.stack;
  template = synth.template;
  wiringId = logicalId(stack.payments.wiring ?? stack);
}, 180_000);

describe('lists kept in step with lambdas/', () => {
  it('accepts by default only extensions the profile processor reads (and all of them)', () => {
    const extensions = defaultConfig().acceptedExtensions;

    expect(extensions.filter((e) => !(profileExtensions as readonly string[]).includes(e))).toEqual([]);
    expect([...extensions].sort()).toEqual([...profileExtensions].sort());
  });

  it('creates secrets with a value the wiring handler reads as "no key yet"', () => {
    expect(isPlaceholderSecret(SECRET_PLACEHOLDER)).toBe(true);
    template.allResourcesProperties('AWS::SecretsManager::Secret', { SecretString: SECRET_PLACEHOLDER });
  });
});

describe('the wiring custom resource', () => {
  it('passes everything the wiring depends on as properties, so a change re-runs it', () => {
    const wiring = template.findResources('Custom::UplockStripeWiring')[wiringId] as { Properties: Record<string, unknown> };
    const p = Object.fromEntries(Object.entries(wiring.Properties).map(([k, v]) => [k, render(v)]));

    expect(p).toEqual({
      ServiceToken: expect.stringMatching(/^<PaymentsStripeWiringProviderframeworkonEvent[0-9A-F]{8}\.Arn>$/) as unknown as string,
      Tag: 'Uplock',
      SiteUrl: `https://<${logicalId(stack.site.distribution)}.DomainName>`,
      ProductName: 'CSV profile report',
      ProductDescription: (cdkJson.context.uplock as { product: { description: string } }).product.description,
      PriceAmount: '500',
      PriceCurrency: 'usd',
      SecretKeySecretId: `<${logicalId(stack.payments.secrets.secretKey)}>`,
      WebhookSecretSecretId: `<${logicalId(stack.payments.secrets.webhookSecret)}>`,
      ManagePaymentLink: 'true',
      Livemode: 'false',
    });
  });

  it('re-runs when the price changes: the new amount is a property', () => {
    const cheaper = synthesize({ bundle: false, config: parseDeployConfig({ ...(cdkJson.context.uplock as object), price: { amount: 300, currency: 'eur' } }) });
    const wiring = Object.values(cheaper.template.findResources('Custom::UplockStripeWiring'))[0] as { Properties: Record<string, unknown> };

    expect(wiring.Properties).toMatchObject({ PriceAmount: '300', PriceCurrency: 'eur' });
  });

  it('re-runs on demand: a new uplock:rewire context value changes a property', () => {
    const app = new App({ context: { ...cdkJson.context, [REWIRE_CONTEXT]: '1732250000', 'aws:cdk:bundling-stacks': [] } });
    const rewired = new UplockStack(app, 'Uplock', { config: defaultConfig(), frontendDir: fakeFrontend() });
    const wiring = Object.values(Template.fromStack(rewired).findResources('Custom::UplockStripeWiring'))[0] as { Properties: Record<string, unknown> };

    expect(wiring.Properties.Rewire).toBe('1732250000');
    expect(template.findResources('Custom::UplockStripeWiring')[wiringId]?.Properties).not.toHaveProperty('Rewire');
  });

  it('gives its handler GetSecretValue on both secrets and PutSecretValue on the webhook secret only', () => {
    const fn = stack.payments.wiringFunction;
    if (!fn?.role) throw new Error('no wiring function');
    const key = `<${logicalId(stack.payments.secrets.secretKey)}>`;
    const hook = `<${logicalId(stack.payments.secrets.webhookSecret)}>`;
    const lines = grantLines(grantsOfRole(template, logicalId(fn.role))).filter((l) => !l.startsWith('logs:'));

    expect(lines).toEqual([`secretsmanager:GetSecretValue ${hook}`, `secretsmanager:GetSecretValue ${key}`, `secretsmanager:PutSecretValue ${hook}`].sort());
  });

  it('gives the provider framework no managed policy: it may invoke (and look up) the wiring handler and write its own logs only', () => {
    const wiring = template.findResources('Custom::UplockStripeWiring')[wiringId] as { Properties: { ServiceToken: { 'Fn::GetAtt': [string, string] } } };
    const framework = template.findResources('AWS::Lambda::Function')[wiring.Properties.ServiceToken['Fn::GetAtt'][0]] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } };
    const roleId = framework.Properties.Role['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId] as { Properties: Record<string, unknown> };
    const handler = logicalId(stack.payments.wiringFunction ?? stack);

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    // GetFunction: the framework waits for the handler to be Active before invoking it.
    expect(grantLines(grantsOfRole(template, roleId)).filter((l) => !l.startsWith('logs:'))).toEqual([
      `lambda:GetFunction <${handler}.Arn>`,
      `lambda:InvokeFunction <${handler}.Arn>`,
      `lambda:InvokeFunction <${handler}.Arn>:*`,
    ]);
    expect(grantLines(grantsOfRole(template, roleId)).filter((l) => l.startsWith('logs:')).every((l) => l.includes('StripeWiringProviderLogs'))).toBe(true);
  });
});

describe('UPLOCK_CONFIG from the wiring', () => {
  it('gives every handler the wired Payment Link and Price, in payment-link mode by default', () => {
    for (const [name, fn] of stack.functions) {
      expect(stripeConfigOf(template, logicalId(fn)), name).toMatchObject({
        paymentMode: 'payment-link',
        paymentLinkId: `<${wiringId}.PaymentLinkId>`,
        paymentLinkUrl: `<${wiringId}.PaymentLinkUrl>`,
        priceId: `<${wiringId}.PriceId>`,
      });
    }
  });

  it('keeps the wiring\'s own outputs out of its handler\'s config', () => {
    const stripe = stripeConfigOf(template, logicalId(stack.payments.wiringFunction ?? stack));

    expect(stripe).not.toHaveProperty('paymentLinkId');
    expect(stripe).not.toHaveProperty('priceId');
  });

  it('lets a Payment Link named in the deploy config win; the Price still comes from the wiring', () => {
    const own = synthesize({ bundle: false, config: configWith({ paymentLinkId: 'plink_1Own', paymentLinkUrl: 'https://buy.stripe.com/own' }) });
    const webhook = own.stack.functions.get('stripe-webhook');
    const wiring = own.stack.payments.wiring;
    if (!webhook || !wiring) throw new Error('missing construct');
    const ownWiringId = logicalId(wiring);

    expect(stripeConfigOf(own.template, logicalId(webhook))).toMatchObject({
      paymentLinkId: 'plink_1Own',
      paymentLinkUrl: 'https://buy.stripe.com/own',
      priceId: `<${ownWiringId}.PriceId>`,
    });
    expect(own.template.findResources('Custom::UplockStripeWiring')[ownWiringId]?.Properties).toMatchObject({ ManagePaymentLink: 'false' });
  });

  it('passes checkout-session mode through, with the wired Price the handlers charge', () => {
    const checkout = synthesize({ bundle: false, config: configWith({ paymentMode: 'checkout-session' }) });
    const fn = checkout.stack.functions.get('create-order');
    if (!fn || !checkout.stack.payments.wiring) throw new Error('missing construct');
    const stripe = stripeConfigOf(checkout.template, logicalId(fn));

    expect(stripe).toMatchObject({ paymentMode: 'checkout-session', priceId: `<${logicalId(checkout.stack.payments.wiring)}.PriceId>` });
    const parsed = parseConfig(JSON.parse(configJsonWith(checkout.template, logicalId(fn), logicalId(checkout.stack.payments.wiring), { PriceId: 'price_1AbC' })));
    expect(parsed.stripe).toMatchObject({ paymentMode: 'checkout-session', priceId: 'price_1AbC' });
    expect(parsed.stripe).not.toHaveProperty('paymentLinkId');
  });

  it('in checkout-session mode lets get-order open the session: the API key and item writes, nothing more', () => {
    const checkout = synthesize({ bundle: false, config: configWith({ paymentMode: 'checkout-session' }) });
    const getOrder = checkout.stack.functions.get('get-order');
    if (!getOrder?.role) throw new Error('no get-order');
    const table = `<${logicalId(checkout.stack.storage.table)}.Arn>`;
    const bucket = `<${logicalId(checkout.stack.storage.dataBucket)}.Arn>`;
    const key = `<${logicalId(checkout.stack.payments.secrets.secretKey)}>`;

    expect(grantLines(grantsOfRole(checkout.template, logicalId(getOrder.role))).filter((l) => !l.startsWith('logs:'))).toEqual(
      [
        ...['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map((a) => `dynamodb:${a} ${table}`),
        `s3:GetObject ${bucket}/previews/*`,
        `s3:ListBucket ${bucket} if {"StringLike":{"s3:prefix":["previews/*"]}}`,
        `secretsmanager:GetSecretValue ${key}`,
      ].sort(),
    );
    expect(stripeConfigOf(checkout.template, logicalId(getOrder)).secretKeySecretId).toBe(key);
    expect(new AwsSolutionsChecks().validateScope(checkout.app).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('rejects an unknown payment mode, naming the key', () => {
    expect(() => configWith({ paymentMode: 'invoice' })).toThrow(/stripe\.paymentMode: expected "payment-link" or "checkout-session"/);
  });
});

describe('cdk-nag AWS Solutions', () => {
  it('has no unacknowledged finding with the wiring, also when the deploy config names its own link', () => {
    const own = synthesize({ bundle: false, config: configWith({ paymentLinkId: 'plink_1Own', paymentLinkUrl: 'https://buy.stripe.com/own' }) });

    for (const app of [synth.app, own.app]) expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('deploy order', () => {
  it('has no dependency cycle: HttpApi -> Distribution -> wiring -> functions -> routes', () => {
    const resources = template.toJSON().Resources as Resources;
    const graph = dependencies(resources);

    expect(findCycle(graph)).toBeUndefined();
    const webhook = logicalId(stack.functions.get('stripe-webhook') ?? stack);
    const route = Object.entries(resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === 'POST /api/stripe/webhook')?.[0] ?? '';
    expect(dependsOn(graph, route, webhook)).toBe(true);
    expect(dependsOn(graph, webhook, wiringId)).toBe(true);
    expect(dependsOn(graph, wiringId, logicalId(stack.site.distribution))).toBe(true);
    expect(dependsOn(graph, logicalId(stack.site.distribution), logicalId(stack.api.httpApi))).toBe(true);
  });

  it('the cycle check can fail: it finds a cycle planted in a copy of the template', () => {
    const resources = structuredClone(template.toJSON().Resources as Resources);
    const distribution = resources[logicalId(stack.site.distribution)];
    if (!distribution) throw new Error('no distribution');
    distribution.DependsOn = [logicalId(stack.functions.get('get-config') ?? stack)];

    expect(findCycle(dependencies(resources))).toBeDefined();
  });
});

describe('the pinned CDK CLI', () => {
  it('reads the cloud assembly this aws-cdk-lib writes (cdk ls on a synthesized assembly)', () => {
    const assembly = synth.app.synth();
    const cli = path.join(repoRoot, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const result = spawnSync(process.execPath, [cli, 'ls', '--app', assembly.directory, '--no-notices'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      timeout: 60_000,
    });
    const cliVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', 'aws-cdk', 'package.json'), 'utf8')) as { version: string }).version;

    expect(result.stderr, `cdk ${cliVersion}`).not.toMatch(/not compatible|schema version mismatch/i);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['Uplock']);
  }, 90_000);
});
