// Reading the local mail catcher's JSON API: wait for the next message to an
// address (the inbox answers as soon as it arrives; no polling, no sleeps).
// Free of vitest, so end-to-end tests use it too.
export interface ReceivedMail {
	id: string;
	from: string;
	to: string[];
	subject: string;
	text: string;
	html: string | null;
	/** Every header by its lower-case name. */
	headers: Record<string, string>;
	/** Every http(s) link in the text body, in order. */
	links: string[];
}

export function linksIn(text: string): string[] {
	return [...text.matchAll(/https?:\/\/[^\s"'<>)\]]+/g)].map((m) => m[0].replaceAll('&amp;', '&'));
}

/**
 * The first message to `to` received after message `after` (or any, if not
 * given) whose subject matches; fails after `timeoutMs`.
 */
export interface WaitOptions {
	subject?: RegExp;
	timeoutMs?: number;
	after?: string;
}

/** waitForMail for a given inbox URL (end-to-end tests run outside vitest). */
export async function waitForMailAt(mailUrl: string, to: string, options: WaitOptions = {}): Promise<ReceivedMail> {
	const deadline = Date.now() + (options.timeoutMs ?? 10_000);
	let after = options.after ?? null;
	for (;;) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) throw new Error(`No email to ${to}${options.subject ? ` matching ${options.subject}` : ''} arrived in time`);
		const url = new URL('/api/messages/wait', mailUrl);
		url.searchParams.set('to', to);
		url.searchParams.set('timeout', String(remaining));
		if (after) url.searchParams.set('after', after);
		const res = await fetch(url);
		if (res.status === 408) continue;
		if (!res.ok) throw new Error(`Mail inbox answered ${res.status}: ${await res.text()}`);
		const message = (await res.json()) as Omit<ReceivedMail, 'links'>;
		if (!options.subject || options.subject.test(message.subject)) return { ...message, links: linksIn(message.text) };
		after = message.id;
	}
}
