// The emails functions send on a user's behalf. Each is one layout (lines of
// text, one button-link, a footer) written out as plain text and as HTML.
// What users wrote (job, team and display names) is made inert (inertText:
// no line breaks, nothing a mail client turns into a link) and escaped in
// the HTML; the only link is the action's, built by links.ts from SITE_URL
// and ids, never from anything a sender wrote. It sits on a line of its own
// in the text part, so mail clients (and tests) find it whole.
import { escapeHtml, inertText, type EmailMessage } from './message.ts';

interface Layout {
	to: string;
	subject: string;
	lines: string[];
	/** The one link; none for emails to the operators, who act on the command line. */
	action?: { label: string; url: string };
	/** A command to run, shown as code after the lines. */
	command?: string;
	/** A list after the lines: each entry's text, and its own link on a line of its own. */
	items?: Array<{ text: string; url: string }>;
	after: string[];
	/** Where the email's unsubscribe links go (a footer line and the List-Unsubscribe header), and narrower ones (one event each). */
	unsubscribe?: { url: string; label: string; narrower?: Array<{ url: string; label: string }> };
}

function render(layout: Layout): EmailMessage {
	const actionText = layout.action ? ['', `${layout.action.label}:`, layout.action.url] : [];
	const commandText = layout.command ? ['', layout.command] : [];
	const itemsText = (layout.items ?? []).flatMap((item) => ['', `* ${item.text}`, `  ${item.url}`]);
	const unsubscribeLinks = layout.unsubscribe ? [...(layout.unsubscribe.narrower ?? []), layout.unsubscribe] : [];
	const unsubscribeText = unsubscribeLinks.flatMap((link) => ['', `${link.label}:`, link.url]);
	const text =
		[...layout.lines, ...itemsText, ...commandText, ...actionText, '', ...layout.after, ...unsubscribeText, '', '-- ', 'Foldwork'].join('\n') + '\n';
	const paragraph = (line: string) => `<p style="margin:0 0 12px">${escapeHtml(line)}</p>`;
	const html =
		'<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">' +
		layout.lines.map(paragraph).join('') +
		(layout.items?.length
			? `<ul style="margin:0 0 12px;padding-left:20px">${layout.items
					.map((item) => `<li style="margin:0 0 6px"><a href="${escapeHtml(item.url)}" style="color:#2563eb">${escapeHtml(item.text)}</a></li>`)
					.join('')}</ul>`
			: '') +
		(layout.command ? `<pre style="margin:12px 0;padding:8px 12px;background:#f6f8fa;border-radius:6px;white-space:pre-wrap">${escapeHtml(layout.command)}</pre>` : '') +
		(layout.action
			? `<p style="margin:20px 0"><a href="${escapeHtml(layout.action.url)}" style="background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(layout.action.label)}</a></p>`
			: '') +
		layout.after.map(paragraph).join('') +
		unsubscribeLinks
			.map((link) => `<p style="margin:8px 0 0;color:#57606a;font-size:13px"><a href="${escapeHtml(link.url)}" style="color:#57606a">${escapeHtml(link.label)}</a></p>`)
			.join('') +
		'<p style="margin:24px 0 0;color:#57606a;font-size:13px">Foldwork</p></body></html>';
	return { to: layout.to, subject: layout.subject, text, html, ...(layout.unsubscribe ? { unsubscribeUrl: layout.unsubscribe.url } : {}) };
}

export interface Inviter {
	displayName: string;
	email: string;
}

/** "Ada Lovelace (ada@example.com)", or the address alone when the name is the address's start. */
function who(inviter: Inviter): string {
	const name = inertText(inviter.displayName, 80);
	return name && name !== inviter.email && name !== inviter.email.split('@')[0] ? `${name} (${inviter.email})` : inviter.email;
}

function shortName(inviter: Inviter): string {
	return inertText(inviter.displayName, 60) || inviter.email;
}

function quoted(text: string, max = 80): string {
	return `"${inertText(text, max)}"`;
}

const UNEXPECTED = 'If you did not expect this email, ignore it: nothing happens unless you follow the link.';

/** How a person without an account gets in, and why the steps are safe. */
function signUpSteps(to: string): string {
	return `Follow the link to create your account with ${to}: we email you a sign-in link (no password needed to start), then you choose your password.`;
}

function day(iso: string): string {
	const date = new Date(iso);
	return `${date.toISOString().slice(0, 10)} (UTC)`;
}

/** To an account: the job is shared with them; the link opens it once they are signed in. */
export function jobSharedEmail(p: { to: string; inviter: Inviter; jobName: string; toolId: string; link: string }): EmailMessage {
	return render({
		to: p.to,
		subject: `${shortName(p.inviter)} shared ${quoted(p.jobName, 60)} with you on Foldwork`,
		lines: [`${who(p.inviter)} shared the job ${quoted(p.jobName, 200)} (${p.toolId}) with you on Foldwork.`],
		action: { label: 'Open the job', url: p.link },
		after: [`You get this email because ${p.inviter.email} shared a job with ${p.to}.`]
	});
}

/** To an address without an account: sign up with it (the link is the app's sign-up page), and the job waits for them. */
export function jobInvitationEmail(p: { to: string; inviter: Inviter; jobName: string; toolId: string; signUpLink: string }): EmailMessage {
	return render({
		to: p.to,
		subject: `${shortName(p.inviter)} invited you to see ${quoted(p.jobName, 60)} on Foldwork`,
		lines: [
			`${who(p.inviter)} shared the job ${quoted(p.jobName, 200)} (${p.toolId}) with you on Foldwork, where teams run computational-biology tools.`,
			signUpSteps(p.to),
			'The job opens for you as soon as your account is set up.'
		],
		action: { label: 'Sign up to see it', url: p.signUpLink },
		after: [`The job stays shared with ${p.to} until ${p.inviter.email} stops sharing it.`, UNEXPECTED]
	});
}

function roleText(role: string): string {
	return role === 'admin' ? 'an admin' : role === 'viewer' ? 'a viewer' : 'a member';
}

interface TeamInvite {
	to: string;
	inviter: Inviter;
	teamName: string;
	role: string;
	expiresAt: string;
}

function teamSubject(p: TeamInvite): string {
	return `${shortName(p.inviter)} invited you to join ${quoted(p.teamName, 60)} on Foldwork`;
}

/** To an account: the invite page, where they accept or decline. */
export function teamInvitationEmail(p: TeamInvite & { link: string }): EmailMessage {
	return render({
		to: p.to,
		subject: teamSubject(p),
		lines: [`${who(p.inviter)} invited you to join the team ${quoted(p.teamName, 120)} on Foldwork as ${roleText(p.role)}.`],
		action: { label: 'Accept or decline', url: p.link },
		after: [`The invitation expires on ${day(p.expiresAt)}.`]
	});
}

/** To an address without an account: sign up with it, then accept or decline on the invite page. */
export function teamSignUpInvitationEmail(p: TeamInvite & { signUpLink: string }): EmailMessage {
	return render({
		to: p.to,
		subject: teamSubject(p),
		lines: [
			`${who(p.inviter)} invited you to join the team ${quoted(p.teamName, 120)} on Foldwork, where teams run computational-biology tools, as ${roleText(p.role)}.`,
			signUpSteps(p.to),
			'Then you accept or decline the invitation.'
		],
		action: { label: 'Sign up to answer', url: p.signUpLink },
		after: [`The invitation expires on ${day(p.expiresAt)}; if it has by then, ask ${p.inviter.email} to send it again.`, UNEXPECTED]
	});
}

function credits(n: number): string {
	return `${n} credit${n === 1 ? '' : 's'}`;
}

/**
 * To an operator: a team asks for credits. No link (operators grant on the
 * command line, which the email spells out with the team's id); what the
 * requester wrote (their name, the team's name, the note) is inert text.
 */
export function creditRequestEmail(p: {
	to: string;
	requester: Inviter;
	team: { id: string; name: string };
	credits: number;
	balance: number;
	note: string | null;
}): EmailMessage {
	return render({
		to: p.to,
		subject: `Credit request: ${quoted(p.team.name, 60)} asks for ${credits(p.credits)}`,
		lines: [
			`${who(p.requester)} asks for ${credits(p.credits)} for the team ${quoted(p.team.name, 120)} (${p.team.id}) on Foldwork.`,
			`The team has ${credits(p.balance)} now.`,
			p.note ? `Their note: ${quoted(p.note, 1000)}` : 'They left no note.',
			'To grant them, run this where the Foldwork database is reachable (DATABASE_URL), with your reason:'
		],
		command: `npm run credits -- grant ${p.team.id} ${p.credits} --reason "…"`,
		after: ['You get this email because this address is one of the operators of Foldwork (OPERATOR_EMAILS).']
	});
}

/**
 * To a person who was away from the app: what happened meanwhile, one line
 * and link each (titles are the database's words around names people wrote,
 * made inert), a link to their settings and the one-click unsubscribe.
 */
export function notificationDigestEmail(p: {
	to: string;
	items: Array<{ title: string; body: string | null; url: string }>;
	/** How many notifications the digest holds (items may show fewer). */
	total: number;
	settingsUrl: string;
	unsubscribeUrl: string;
	/** One link per event in the digest that stops just that event's emails. */
	eventUnsubscribes: Array<{ event: string; url: string }>;
}): EmailMessage {
	const shown = p.items.map((item) => ({ text: inertText(item.body ? `${item.title}: ${item.body}` : item.title, 300), url: item.url }));
	const more = p.total - shown.length;
	return render({
		to: p.to,
		// A count, never an event's words: the subject reads the same whatever people named their jobs and teams.
		subject: `Foldwork: ${p.total} update${p.total === 1 ? '' : 's'} while you were away`,
		lines: [p.total === 1 ? 'While you were away from Foldwork:' : `While you were away from Foldwork, ${p.total} things happened:`],
		items: shown,
		after: [
			...(more > 0 ? [`… and ${more} more in the app.`] : []),
			`You get this email because these events are set to email you when no page of Foldwork is open. Change that in your settings: ${p.settingsUrl}`
		],
		unsubscribe: {
			label: 'Unsubscribe from all Foldwork notification emails',
			url: p.unsubscribeUrl,
			narrower: p.eventUnsubscribes.map((e) => ({ label: `Stop emails about: ${e.event}`, url: e.url }))
		}
	});
}
