// Sends the auth emails over SMTP to the configured server (the local mail
// catcher), like GoTrue's SMTP mailer.
import nodemailer from 'nodemailer';
import type { StackConfig } from '../config.ts';
import { renderEmail, type EmailData } from './email-templates.ts';

export interface Mailer {
	send(to: string, data: EmailData): Promise<void>;
	close(): void;
}

/** The SMTP server refused the recipient address. */
export class RecipientRefused extends Error {}

export function createMailer(config: StackConfig): Mailer {
	const transport = nodemailer.createTransport({
		host: config.auth.smtpHost,
		port: config.auth.smtpPort,
		secure: false,
		ignoreTLS: true,
		connectionTimeout: 5_000,
		greetingTimeout: 5_000,
		socketTimeout: 10_000
	});
	return {
		async send(to, data) {
			const { subject, text, html } = renderEmail(data);
			try {
				await transport.sendMail({ from: config.auth.mailFrom, to, subject, text, html });
			} catch (error) {
				const e = error as { responseCode?: number; code?: string };
				if (e.code === 'EENVELOPE' || (e.responseCode !== undefined && e.responseCode >= 550 && e.responseCode <= 553)) {
					throw new RecipientRefused(`recipient ${to} refused`);
				}
				throw error;
			}
		},
		close() {
			transport.close();
		}
	};
}
