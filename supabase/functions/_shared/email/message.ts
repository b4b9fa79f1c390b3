// One email: a single recipient, a subject, and the same content as plain
// text and as HTML. Header values are made safe here, whatever transport
// carries them: user-provided text (names, job names) never brings a line
// break or control character into a header.
import { emailProblem } from '../emails.ts';

export interface EmailMessage {
	to: string;
	subject: string;
	text: string;
	html: string;
	/** Lets an HTTP email API drop a repeated request (the email log's claim id). */
	idempotencyKey?: string;
	/**
	 * The one-click unsubscribe address (RFC 8058): sent as `List-Unsubscribe`
	 * with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so a mail
	 * client's unsubscribe button POSTs to it.
	 */
	unsubscribeUrl?: string;
}

/** The headers that go with a message (the unsubscribe pair, when it has one). */
export function listHeaders(message: EmailMessage): Record<string, string> {
	if (!message.unsubscribeUrl) return {};
	return { 'List-Unsubscribe': `<${message.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** A message refused before sending: the fault is in the message, not the transport. */
export class InvalidEmail extends Error {}

/** The transport could not deliver; `permanent` when retrying cannot help (the recipient was refused). */
export class EmailDeliveryError extends Error {
	readonly permanent: boolean;
	constructor(message: string, permanent: boolean) {
		super(message);
		this.permanent = permanent;
	}
}

/** Text for a header: control characters and line breaks become spaces, runs of spaces one, at most `max` characters. */
export function headerText(text: string, max = 200): string {
	// deno-lint-ignore no-control-regex
	const flat = text.replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Text someone wrote (a job, team or display name) made inert for an email
 * body or subject: flattened like headerText, direction overrides removed,
 * and anything a mail client could turn into a link defanged ("evil[.]com",
 * "https[:]//"), so the sender's words never become a clickable URL. HTML
 * escaping is still the template's job.
 */
export function inertText(text: string, max = 200): string {
	return headerText(text.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ''), max)
		.replace(/([a-z][a-z0-9+.-]*):(\/\/|\\\\)/gi, '$1[:]$2')
		.replace(/(?<=[\p{L}\p{N}_-])[.\u3002\uff0e\uff61](?=\p{L})/gu, '[.]');
}

export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The message with a checked recipient and a safe subject; throws InvalidEmail otherwise. */
export function checkedMessage(message: EmailMessage): EmailMessage {
	const problem = emailProblem(message.to);
	if (problem || message.to !== message.to.trim().toLowerCase()) {
		throw new InvalidEmail(`recipient ${JSON.stringify(message.to)} ${problem ?? 'is not normalised (trim and lower-case it)'}`);
	}
	const subject = headerText(message.subject);
	if (subject === '') throw new InvalidEmail('an email needs a subject');
	if (message.unsubscribeUrl !== undefined && !/^https?:\/\/[^\s<>]+$/.test(message.unsubscribeUrl)) {
		throw new InvalidEmail(`the unsubscribe address must be an http(s) URL, not ${JSON.stringify(message.unsubscribeUrl)}`);
	}
	return { ...message, subject };
}

/** A From header value: `Name <address>`, with the name made safe. */
export function checkedFrom(from: string): string {
	const match = /^\s*(?:(.*?)\s*<([^<>\s]+)>|([^<>\s]+))\s*$/.exec(from);
	const address = (match?.[2] ?? match?.[3] ?? '').toLowerCase();
	if (!match || emailProblem(address)) throw new Error(`EMAIL_FROM must be "Name <address>" or an address, not ${JSON.stringify(from)}`);
	const name = headerText(match[1] ?? '', 80).replace(/["\\]/g, '');
	return name ? `"${name}" <${address}>` : address;
}
