/**
 * The customer's pages: a private S3 bucket served only through CloudFront (Origin Access
 * Control), the Vite build deployed into it, `/api/*` and `/d/*` forwarded to the HTTP API, and
 * strict security headers on every response.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** Paths CloudFront forwards to the API instead of the bucket. */
export const API_PATH_PATTERNS = ['/api/*', '/d/*'] as const;

/** Where the Stripe Payment Link and Checkout pages live (the pay button is a form or link). */
export const STRIPE_FORM_ORIGINS = ['https://buy.stripe.com', 'https://checkout.stripe.com'] as const;

export interface SiteProps {
  /** Directory of the built frontend (`frontend/dist`); must contain index.html. */
  readonly frontendDir: string;
  /** Host name of the HTTP API's execute-api endpoint (no scheme, no path). */
  readonly apiDomainName: string;
  /** Regional domain of the data bucket: the browser POSTs uploads there. */
  readonly dataBucketRegionalDomainName: string;
  /** Server access logs of the site bucket go here. */
  readonly accessLogsBucket: s3.IBucket;
  /** Custom domain. @default - the distribution's *.cloudfront.net name */
  readonly domainName?: string;
  /** ACM certificate (us-east-1) for `domainName`. Required with `domainName`. */
  readonly certificateArn?: string;
  /** Route 53 zone to create the alias records in. @default - records are left to the operator */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

export class Site extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** Public base URL (no trailing slash): the custom domain if set, else the CloudFront name. */
  readonly siteUrl: string;
  /** Every origin the pages are served from (CORS of the data bucket allows these). */
  readonly siteOrigins: string[];
  readonly contentSecurityPolicy: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    if (!existsSync(path.join(props.frontendDir, 'index.html'))) {
      throw new Error(
        `Site: ${props.frontendDir}/index.html does not exist. Build the pages first: run \`npm run build:frontend\`, then synth or deploy again.`,
      );
    }
    if (Boolean(props.domainName) !== Boolean(props.certificateArn)) {
      throw new Error('Site: domainName and certificateArn go together: set both or neither');
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'site/',
      // Kept on stack deletion like every bucket here; it only holds the rebuildable pages.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.contentSecurityPolicy = [
      "default-src 'self'",
      // No inline script, no eval: everything the pages run is a file Vite built.
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      // The upload is a presigned POST straight to the data bucket.
      `connect-src 'self' https://${props.dataBucketRegionalDomainName}`,
      `form-action 'self' ${STRIPE_FORM_ORIGINS.join(' ')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      'upgrade-insecure-requests',
    ].join('; ');

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'uplock: strict CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: this.contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // Download links carry a secret token in the path: never send it anywhere in a Referer.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const apiOrigin = new origins.HttpOrigin(props.apiDomainName, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // The API needs the viewer's headers (Stripe-Signature, Content-Type) but its own Host.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    };

    const certificate = props.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)
      : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'uplock site and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
      // No custom error pages: they would also rewrite the API's 404/410 JSON into index.html.
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(certificate && props.domainName
        ? {
            certificate,
            domainNames: [props.domainName],
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      enableLogging: false,
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'CloudFront standard logs record the request path, and /d/<token> paths carry download tokens, which must never reach logs (docs/architecture.md section 7). API requests are logged by the API access log, by route key only.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The shop sells to customers anywhere; there is no country to block by default.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF by default: a web ACL costs at least $5/month plus rules, more than the pipeline itself at low volume. The API has stage throttling, uploads are presigned, downloads are token-limited.',
    });
    if (!certificate) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'With the default *.cloudfront.net certificate CloudFront fixes the viewer security policy; set domainName and certificateArn in the config to enforce TLSv1.2_2021.',
      });
    }

    const cloudfrontUrl = Fn.join('', ['https://', this.distribution.distributionDomainName]);
    this.siteUrl = props.domainName ? `https://${props.domainName}` : cloudfrontUrl;
    this.siteOrigins = props.domainName ? [`https://${props.domainName}`, cloudfrontUrl] : [cloudfrontUrl];

    if (props.hostedZone && props.domainName) {
      const zone = route53.PublicHostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: props.hostedZone.id,
        zoneName: props.hostedZone.name,
      });
      const target = route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'AliasA', { zone, recordName: props.domainName, target });
      new route53.AaaaRecord(this, 'AliasAAAA', { zone, recordName: props.domainName, target });
    }

    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(props.frontendDir)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
  }
}
