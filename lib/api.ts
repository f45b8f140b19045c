/**
 * The HTTP API: routes generated from the one route table (lambdas/routes.ts), one Lambda per
 * handler, default-stage throttling and an access log that names routes, never raw paths (a
 * /d/<token> path carries a download token).
 */
import { Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HandlerName, Route } from '../lambdas/routes';

export interface ApiProps {
  /** Steady-state requests per second for the whole API. */
  readonly rateLimit: number;
  /** Burst of requests above the rate. */
  readonly burstLimit: number;
}

/** Fields of the access log. Route key (`GET /d/{token}`), not path: paths can carry tokens. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  responseLength: '$context.responseLength',
};

export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  /** Host name of the execute-api endpoint: the CloudFront origin. */
  readonly domainName: string;
  private readonly routed = new Map<string, IFunction>();
  private readonly integrations = new Map<string, HttpLambdaIntegration>();

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'uplock API (served under the site via CloudFront)',
      // The stage is created below with throttling and access logs.
      createDefaultStage: false,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        // `status` unquoted so metric filters can compare it as a number.
        format: AccessLogFormat.custom(
          JSON.stringify(ACCESS_LOG_FIELDS).replace('"$context.status"', '$context.status'),
        ),
      },
    });
    this.domainName = Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint));
  }

  /**
   * One API route per route-table row, integrated with that handler's function (payload v2).
   * `functionFor` is called once per distinct handler.
   */
  addRoutes(routes: readonly Route[], functionFor: (handler: HandlerName) => IFunction): void {
    for (const route of routes) {
      let integration = this.integrations.get(route.handler);
      if (!integration) {
        const fn = functionFor(route.handler);
        this.routed.set(route.handler, fn);
        integration = new HttpLambdaIntegration(`${pascal(route.handler)}Integration`, fn, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        });
        this.integrations.set(route.handler, integration);
      }
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration,
      });
      if (created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public customer API with no accounts: each route checks its own credential (an unguessable order id, a hashed download token, or the Stripe signature on the webhook).',
        });
      }
    }
  }

  /** The function behind a handler, once routed. */
  functionOf(handler: HandlerName): IFunction | undefined {
    return this.routed.get(handler);
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
