/**
 * `uplock stripe wire`: create or update the Stripe Product, Price, Payment Link and webhook
 * endpoint of this installation (what the stack's custom resource does on each deploy, and
 * `npm start` at each start), and store a new signing secret when the endpoint is created.
 */
import type { Command } from 'commander';
import { CliError, fields, positiveInt, runAction } from '../cli-kit';
import { connect } from '../target';

interface WireOptions {
  tag?: string;
  siteUrl?: string;
  amount?: string;
  currency?: string;
  productName?: string;
  productDescription?: string;
  secretKeySecretId?: string;
  webhookSecretSecretId?: string;
}

export function register(program: Command): void {
  const stripe = program
    .command('stripe')
    .description('Stripe set-up of this installation')
    .addHelpText('after', `
Examples:
  npx uplock stripe wire
  npx uplock --stack Uplock stripe wire`);
  stripe
    .command('wire')
    .description('create or update the Product, Price, Payment Link and webhook endpoint in Stripe')
    .option('--tag <name>', 'installation tag on the Stripe objects (default: the stack name, or "local")')
    .option('--site-url <url>', 'public site URL (default: from the target)')
    .option('--amount <minor units>', 'price in minor units, e.g. 900 for $9.00 (default: from the target)')
    .option('--currency <code>', 'ISO currency, e.g. usd (default: from the target)')
    .option('--product-name <text>', 'product name (default: from the target)')
    .option('--product-description <text>', 'product description (default: from the target)')
    .option('--secret-key-secret-id <id>', 'Secrets Manager secret with the Stripe key (default: from the stack)')
    .option('--webhook-secret-secret-id <id>', 'Secrets Manager secret for the signing secret (default: from the stack)')
    .addHelpText(
      'after',
      `
Idempotent: objects are found again by their tag, and only what drifted changes. Against a stack
the key is read from Secrets Manager and a new webhook signing secret is stored there.

Examples:
  npx uplock --stack Uplock stripe wire
  npx uplock --stack Uplock stripe wire --amount 1200 --currency eur`,
    )
    .action(
      runAction(async (ctx) => {
        const target = await connect(ctx.options);
        const options = ctx.options as WireOptions;
        const { config } = target;
        const amount = positiveInt('--amount', options.amount) ?? config.price.amount;
        const tag = options.tag ?? target.name;
        const siteUrl = (options.siteUrl ?? target.siteUrl).replace(/\/$/, '');
        const product = { name: options.productName ?? config.product.name, description: options.productDescription ?? config.product.description };
        const currency = options.currency ?? config.price.currency;
        let result;
        if (target.kind === 'stack') {
          const secretKey = options.secretKeySecretId ?? config.stripe.secretKeySecretId;
          const webhookSecret = options.webhookSecretSecretId ?? config.stripe.webhookSecretSecretId;
          if (!secretKey || !webhookSecret) throw new CliError('missing_option', 'The stack names no Stripe secrets: pass --secret-key-secret-id and --webhook-secret-secret-id.', 2);
          const { wireFromSecrets } = await import('../../lambdas/handlers/stripe-wiring');
          result = await wireFromSecrets(
            {
              Tag: tag,
              SiteUrl: siteUrl,
              PriceAmount: String(amount),
              PriceCurrency: currency,
              ProductName: product.name,
              ...(product.description ? { ProductDescription: product.description } : {}),
              SecretKeySecretId: secretKey,
              WebhookSecretSecretId: webhookSecret,
            },
            ctx.note,
          );
          if (!result) throw new CliError('no_stripe_key', `Secret ${secretKey} holds no Stripe key yet: put it there (docs/deploy.md) and run this again.`);
        } else {
          // The local cloud: the stand-in (or real test mode), keyed from the environment.
          const { stripeClient } = await import('../../lambdas/adapters/stripe-client');
          const key = process.env.STRIPE_SECRET_KEY ?? '';
          const at = config.endpoints.stripe;
          const client = stripeClient({ apiKey: key, ...(at ? { endpoint: at } : {}) });
          const { wireStripe } = await import('../../lambdas/adapters/stripe-wiring');
          // Never rotate here: the running local cloud holds the current signing secret in memory.
          result = await wireStripe(client, { tag, siteUrl, product, price: { amount, currency }, rotateWebhookSecret: false, webhook: Boolean(at) });
          for (const change of result.changes) ctx.note(change);
        }
        const summary = {
          paymentLinkId: result.paymentLinkId,
          paymentLinkUrl: result.paymentLinkUrl,
          priceId: result.priceId,
          webhookEndpointId: result.webhookEndpointId,
          changes: [...result.changes],
        };
        return {
          json: summary,
          text: fields([
            ['payment link', `${summary.paymentLinkId} ${summary.paymentLinkUrl}`],
            ['price', summary.priceId],
            ['webhook endpoint', summary.webhookEndpointId || '(none)'],
            ['changes', summary.changes.length ? summary.changes.join('; ') : 'none'],
          ]),
        };
      }),
    );
}
