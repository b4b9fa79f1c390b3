// The inbox pages: a list of messages and one message, plain HTML.
import type { StoredMessage } from './index.ts';

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function page(title: string, body: string): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${escapeHtml(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.4rem;border-bottom:1px solid #8884}pre{white-space:pre-wrap}iframe{width:100%;height:32rem;border:1px solid #8884}</style>
</head><body>${body}</body></html>`;
}

export function renderInbox(messages: StoredMessage[]): string {
	const rows = messages
		.map(
			(m) =>
				`<tr><td>${escapeHtml(new Date(m.date).toLocaleString('en-GB'))}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
				`<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`
		)
		.join('');
	const body = messages.length
		? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
		: '<p>No messages yet. Emails sent by the local stack (sign-up confirmations, invites, password resets) appear here.</p>';
	return page('Local inbox', `<h1>Local inbox</h1><form><label>Recipient <input name="to" type="email"></label> <button>Filter</button></form>${body}`);
}

export function renderMessage(m: StoredMessage): string {
	const html = m.html ? `<h2>HTML</h2><iframe sandbox srcdoc="${escapeHtml(m.html)}" title="HTML body"></iframe>` : '';
	return page(
		m.subject,
		`<p><a href="/">&larr; Inbox</a></p><h1>${escapeHtml(m.subject || '(no subject)')}</h1>
<p>From: ${escapeHtml(m.from)}<br>To: ${escapeHtml(m.to.join(', '))}<br>Date: ${escapeHtml(m.date)}</p>
<h2>Text</h2><pre>${escapeHtml(m.text)}</pre>${html}`
	);
}
