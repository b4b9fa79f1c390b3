// SMTP through nodemailer (npm:nodemailer). It runs unchanged on Deno's Node
// compatibility layer, and it is what the local stack's Auth mailer already
// uses: a mature MIME writer (RFC 2047 headers, quoted-printable bodies,
// dot-stuffing, multipart/alternative) that we would otherwise rewrite. A
// pool of two connections is kept open: a fresh SMTP session per email costs
// about 100 ms against the local catcher, a pooled one a few ms.
//
// Hosted Supabase Edge Functions cannot open outbound connections on ports 25
// and 587; use the HTTP transport there (or an SMTP relay on 465/2525).
import nodemailer from 'nodemailer';
import { EmailDeliveryError, listHeaders, type EmailMessage } from './message.ts';
import type { EmailTransport } from './transport.ts';

export interface SmtpSettings {
	host: string;
	port: number;
	/** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
	secure: boolean;
	user?: string;
	password?: string;
}

export function smtpTransport(settings: SmtpSettings): EmailTransport {
	const transport = nodemailer.createTransport({
		pool: true,
		maxConnections: 2,
		host: settings.host,
		port: settings.port,
		secure: settings.secure,
		auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
		name: 'foldwork.local',
		connectionTimeout: 5_000,
		greetingTimeout: 5_000,
		socketTimeout: 15_000
	});
	return {
		name: `smtp ${settings.host}:${settings.port}`,
		async send(from: string, message: EmailMessage) {
			try {
				await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html, headers: listHeaders(message) });
			} catch (error) {
				const e = error as { responseCode?: number; code?: string; message?: string };
				const permanent = e.code === 'EENVELOPE' || (e.responseCode !== undefined && e.responseCode >= 500);
				throw new EmailDeliveryError(`SMTP ${settings.host}:${settings.port}: ${e.message ?? String(error)}`, permanent);
			}
		},
		close() {
			transport.close();
		}
	};
}
