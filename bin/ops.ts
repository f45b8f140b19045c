/**
 * Operator commands (`npm run ops -- <command>`), sharing code with the deployed functions.
 *
 *   stripe-wire  Create or update the Stripe Product, Price, Payment Link and webhook endpoint
 *                (what the stack's custom resource does on deploy) and store the signing secret.
 *                --tag <stack name> --site-url <https://…> --amount <minor units> --currency <usd>
 *                --product-name <text> [--product-description <text>]
 *                --secret-key-secret-id <id> --webhook-secret-secret-id <id>
 *                (the Stripe key is read from Secrets Manager; AWS credentials from the usual chain)
 *   sweep        Run the reconciliation sweeper once against the deployed config: set
 *                UPLOCK_CONFIG (the function's environment) and AWS credentials first.
 */
import { parseArgs } from 'node:util';

const [command, ...rest] = process.argv.slice(2);

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('usage: npm run ops -- stripe-wire --tag T --site-url URL --amount N --currency C --product-name NAME --secret-key-secret-id ID --webhook-secret-secret-id ID');
  console.error('       npm run ops -- sweep');
  process.exit(2);
}

switch (command) {
  case 'stripe-wire': {
    const { values } = parseArgs({
      args: rest,
      options: {
        tag: { type: 'string' },
        'site-url': { type: 'string' },
        amount: { type: 'string' },
        currency: { type: 'string' },
        'product-name': { type: 'string' },
        'product-description': { type: 'string' },
        'secret-key-secret-id': { type: 'string' },
        'webhook-secret-secret-id': { type: 'string' },
      },
    });
    const required = ['tag', 'site-url', 'amount', 'currency', 'product-name', 'secret-key-secret-id', 'webhook-secret-secret-id'] as const;
    const missing = required.filter((k) => !values[k]);
    if (missing.length) usage(`missing: ${missing.map((k) => `--${k}`).join(', ')}`);
    const { wireFromSecrets } = await import('../lambdas/handlers/stripe-wiring');
    const result = await wireFromSecrets({
      Tag: values.tag as string,
      SiteUrl: values['site-url'] as string,
      PriceAmount: values.amount as string,
      PriceCurrency: values.currency as string,
      ProductName: values['product-name'] as string,
      ...(values['product-description'] ? { ProductDescription: values['product-description'] } : {}),
      SecretKeySecretId: values['secret-key-secret-id'] as string,
      WebhookSecretSecretId: values['webhook-secret-secret-id'] as string,
    });
    if (!result) process.exit(1);
    console.log(JSON.stringify({ paymentLinkId: result.paymentLinkId, paymentLinkUrl: result.paymentLinkUrl, priceId: result.priceId, webhookEndpointId: result.webhookEndpointId }, null, 2));
    break;
  }
  case 'sweep': {
    const { handler } = await import('../lambdas/handlers/sweeper');
    console.log(JSON.stringify(await handler(), null, 2));
    break;
  }
  default:
    usage(command ? `unknown command: ${command}` : undefined);
}
