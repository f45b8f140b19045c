import type { EmailMessage } from '../core/emails';

export interface Mailer {
  send(to: string, message: EmailMessage): Promise<void>;
}
