// An HTTP email API for production (Resend's shape, which Postmark-, SES- and
// SendGrid-style relays also offer through small adapters): one JSON POST per
// email with a bearer key. 2xx is sent; 4xx other than 408/409/429 means the
// message was refused (retrying cannot help); the rest is transient.
import { EmailDeliveryError, listHeaders, type EmailMessage } from './message.ts';
import type { EmailTransport } from './transport.ts';

export interface HttpApiSettings {
	url: string;
	apiKey: string;
	timeoutMs?: number;
}

export function httpApiTransport(settings: HttpApiSettings): EmailTransport {
	return {
		name: `http ${new URL(settings.url).host}`,
		async send(from: string, message: EmailMessage) {
			const headers: Record<string, string> = {
				Authorization: `Bearer ${settings.apiKey}`,
				'Content-Type': 'application/json'
			};
			if (message.idempotencyKey) headers['Idempotency-Key'] = message.idempotencyKey;
			let response: Response;
			try {
				response = await fetch(settings.url, {
					method: 'POST',
					headers,
					body: JSON.stringify({ from, to: [message.to], subject: message.subject, text: message.text, html: message.html, ...(message.unsubscribeUrl ? { headers: listHeaders(message) } : {}) }),
					signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000)
				});
			} catch (error) {
				throw new EmailDeliveryError(`email API ${settings.url}: ${error instanceof Error ? error.message : String(error)}`, false);
			}
			if (response.ok) {
				await response.body?.cancel();
				return;
			}
			const detail = (await response.text().catch(() => '')).slice(0, 500);
			const permanent = response.status >= 400 && response.status < 500 && ![408, 409, 429].includes(response.status);
			throw new EmailDeliveryError(`email API ${settings.url} answered ${response.status}: ${detail}`, permanent);
		},
		close() {}
	};
}
