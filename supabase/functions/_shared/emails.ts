// Email addresses from people: trimmed, lower-cased, deduplicated, and each
// bad one refused with the reason, so the caller knows what to fix.
//
// The one rule for an address, for the whole platform: these functions, the
// web app (src/lib/forms/email.ts wraps it in its zod schema) and the
// database (private.is_email_address, 20261209300000_email_address_rule.sql)
// accept exactly the same addresses; tests/db/email-rule.test.ts proves it on
// a table of tricky ones. An address ends up in an SMTP envelope and a To
// header, so anything that could break out of them (line breaks, commas,
// angle brackets, quotes, spaces) is refused, not cleaned. This file imports
// nothing, so Deno and the app's bundler can both read it.

export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;

const LOCAL_CHAR = "[a-z0-9!#$%&'*+/=?^_`{|}~-]";
/**
 * The whole rule but the lengths, on a trimmed, lower-cased address, as a
 * pattern both JavaScript and PostgreSQL read the same way (the SQL function
 * holds this same text).
 */
export const EMAIL_PATTERN = `^${LOCAL_CHAR}+(\\.${LOCAL_CHAR}+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`;
const EMAIL = new RegExp(EMAIL_PATTERN);

const LOCAL_PART = new RegExp(`^${LOCAL_CHAR}+(\\.${LOCAL_CHAR}+)*$`);
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether `address` (already trimmed and lower-cased) is an address we accept. */
export function isEmailAddress(address: string): boolean {
	return address.length <= MAX_EMAIL_LENGTH && address.indexOf('@') <= MAX_LOCAL_PART_LENGTH && EMAIL.test(address);
}

/** Why `address` (already trimmed and lower-cased) is not a usable address, or null when it is. */
export function emailProblem(address: string): string | null {
	if (address === '') return 'is empty';
	if (/[\r\n]/.test(address)) return 'contains a line break; give one bare address per entry';
	// deno-lint-ignore no-control-regex
	if (/[\x00-\x1f\x7f]/.test(address)) return 'contains a control character';
	if (/\s/.test(address)) return 'contains a space';
	if (/[,;<>"()[\]\\:]/.test(address)) return 'is not a bare address: give only name@example.com, one per entry, without names, quotes, brackets or separators';
	if (/[^\x21-\x7e]/.test(address)) return 'contains characters outside ASCII; write the domain in its ASCII (punycode) form';
	if (address.length > MAX_EMAIL_LENGTH) return `is longer than ${MAX_EMAIL_LENGTH} characters`;
	const at = address.split('@');
	if (at.length === 1) return 'is missing the @';
	if (at.length > 2) return 'has more than one @';
	const [local, domain] = at;
	if (local === '') return 'has nothing before the @';
	if (local.length > MAX_LOCAL_PART_LENGTH) return `has more than ${MAX_LOCAL_PART_LENGTH} characters before the @`;
	if (!LOCAL_PART.test(local)) return 'has characters before the @ that an address cannot have (or a dot at the start, at the end or twice in a row)';
	if (domain === '') return 'has nothing after the @';
	const labels = domain.split('.');
	if (labels.length < 2) return `has no top-level domain after the @ (like ${domain}.com)`;
	if (!labels.every((label) => DOMAIN_LABEL.test(label))) return `has an invalid domain "${domain}"`;
	if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(labels[labels.length - 1])) return `has an invalid top-level domain ".${labels[labels.length - 1]}"`;
	// The reasons above explain; the verdict is the rule's.
	if (!isEmailAddress(address)) return 'is not an email address';
	return null;
}

export interface EmailIssue {
	path: string;
	message: string;
}

/**
 * Normalises a list of addresses: trim, lower case, dedupe (first one wins).
 * Returns the addresses, or an issue for each bad one, naming its position
 * and showing it escaped (a line break shows as \r\n, never as a line break).
 */
export function normaliseEmails(raw: readonly string[], field: string): { emails: string[]; issues: EmailIssue[] } {
	const emails: string[] = [];
	const seen = new Set<string>();
	const issues: EmailIssue[] = [];
	raw.forEach((entry, index) => {
		const address = entry.trim().toLowerCase();
		const problem = emailProblem(address);
		if (problem) {
			issues.push({ path: `${field}[${index}]`, message: `${JSON.stringify(entry.length > 300 ? entry.slice(0, 300) + '…' : entry)} ${problem}` });
			return;
		}
		if (!seen.has(address)) {
			seen.add(address);
			emails.push(address);
		}
	});
	return { emails, issues };
}
