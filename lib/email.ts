/**
 * Sending email: the SES identity of the sender (the address, or its whole domain) and a
 * configuration set that suppresses bounced and complaining addresses. The set is the identity's
 * default and the mailer also names it on every SendEmail (`emailConfigurationSet` in the runtime
 * config): a default applies only to the identity SES matches the sender to, so an operator who
 * later verifies the sender's domain (or address) as a second identity would otherwise send
 * without bounce suppression.
 */
import { Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { EmailSending } from './runtime-binding';

export interface EmailProps {
  /** From address of every email. */
  readonly senderEmail: string;
  /** Verify this domain instead of the single address. @default - the address is the identity */
  readonly senderDomain?: string;
  /** Zone of `senderDomain`: its DKIM records are published for you. @default - publish them yourself */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

export class Email extends Construct implements EmailSending {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly identityArn: string;
  readonly configurationSetArn: string;
  readonly configurationSetName: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: this.identityFor(props),
      configurationSet: this.configurationSet,
    });
    this.identityArn = this.identity.emailIdentityArn;
    this.configurationSetName = this.configurationSet.configurationSetName;
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  private identityFor(props: EmailProps): ses.Identity {
    if (!props.senderDomain) return ses.Identity.email(props.senderEmail);
    const zoneName = props.hostedZone?.name.replace(/\.$/, '');
    if (props.hostedZone && zoneName === props.senderDomain) {
      const zone = route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: props.hostedZone.id,
        zoneName: props.hostedZone.name,
      });
      return ses.Identity.publicHostedZone(zone);
    }
    return ses.Identity.domain(props.senderDomain);
  }
}
