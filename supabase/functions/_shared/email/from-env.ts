// The one way Foldwork sends email (edge functions, and the worker fleet
// with the same variables from its environment). The transport is chosen by
// configuration:
//   EMAIL_TRANSPORT=smtp (default): SMTP_HOST (127.0.0.1), SMTP_PORT (54325,
//     the local mail catcher; the local stack passes its own), SMTP_SECURE
//     ("true" for implicit TLS), SMTP_USER, SMTP_PASSWORD.
//   EMAIL_TRANSPORT=http: EMAIL_API_URL (default Resend's
//     https://api.resend.com/emails) and EMAIL_API_KEY.
// EMAIL_FROM is the sender ("Foldwork <noreply@foldwork.local>").
import { checkedFrom, checkedMessage, type EmailMessage } from './message.ts';
import { httpApiTransport } from './http-api.ts';
import { smtpTransport } from './smtp.ts';
import type { EmailTransport } from './transport.ts';

const DEFAULT_FROM = 'Foldwork <noreply@foldwork.local>';
const DEFAULT_EMAIL_API_URL = 'https://api.resend.com/emails';

export interface EmailSender {
	readonly transport: string;
	/** Checks the message (recipient, subject), then delivers it. */
	send(message: EmailMessage): Promise<void>;
	close(): void;
}

export type Env = { get(name: string): string | undefined };

function port(env: Env): number {
	const raw = env.get('SMTP_PORT') || '54325';
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`SMTP_PORT must be a port number, not "${raw}"`);
	return n;
}

function transportFromEnv(env: Env): EmailTransport {
	const kind = (env.get('EMAIL_TRANSPORT') || 'smtp').toLowerCase();
	if (kind === 'smtp') {
		return smtpTransport({
			host: env.get('SMTP_HOST') || '127.0.0.1',
			port: port(env),
			secure: env.get('SMTP_SECURE') === 'true',
			user: env.get('SMTP_USER') || undefined,
			password: env.get('SMTP_PASSWORD') || undefined
		});
	}
	if (kind === 'http') {
		const url = env.get('EMAIL_API_URL') || DEFAULT_EMAIL_API_URL;
		const apiKey = env.get('EMAIL_API_KEY');
		if (!apiKey) throw new Error('EMAIL_TRANSPORT=http needs EMAIL_API_KEY (set it with `supabase secrets set EMAIL_API_KEY=...`)');
		return httpApiTransport({ url, apiKey });
	}
	throw new Error(`EMAIL_TRANSPORT must be "smtp" or "http", not "${kind}"`);
}

export function createEmailSender(env: Env): EmailSender {
	const transport = transportFromEnv(env);
	const from = checkedFrom(env.get('EMAIL_FROM') || DEFAULT_FROM);
	return {
		transport: transport.name,
		send: (message) => transport.send(from, checkedMessage(message)),
		close: () => transport.close()
	};
}

