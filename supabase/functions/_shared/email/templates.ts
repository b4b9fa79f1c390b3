// The emails functions send on a user's behalf. Each is one layout (lines of
// text, one button-link, a footer) written out as plain text and as HTML;
// every value from users is escaped in the HTML and kept out of the subject's
// line structure (see message.ts). Links sit on lines of their own in the
// text part, so mail clients (and tests) find them whole.
import { escapeHtml, headerText, type EmailMessage } from './message.ts';

interface Layout {
	to: string;
	subject: string;
	lines: string[];
	action: { label: string; url: string };
	after: string[];
}

function render(layout: Layout): EmailMessage {
	const text = [...layout.lines, '', `${layout.action.label}:`, layout.action.url, '', ...layout.after, '', '-- ', 'Foldwork'].join('\n') + '\n';
	const paragraph = (line: string) =>
		`<p style="margin:0 0 12px">${/^https?:\/\/\S+$/.test(line) ? `<a href="${escapeHtml(line)}">${escapeHtml(line)}</a>` : escapeHtml(line)}</p>`;
	const html =
		'<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">' +
		layout.lines.map(paragraph).join('') +
		`<p style="margin:20px 0"><a href="${escapeHtml(layout.action.url)}" style="background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(layout.action.label)}</a></p>` +
		layout.after.map(paragraph).join('') +
		'<p style="margin:24px 0 0;color:#57606a;font-size:13px">Foldwork</p></body></html>';
	return { to: layout.to, subject: layout.subject, text, html };
}

export interface Inviter {
	displayName: string;
	email: string;
}

/** "Ada Lovelace (ada@example.com)", or the address alone when the name is the address's start. */
function who(inviter: Inviter): string {
	const name = headerText(inviter.displayName, 80);
	return name && name !== inviter.email && name !== inviter.email.split('@')[0] ? `${name} (${inviter.email})` : inviter.email;
}

function shortName(inviter: Inviter): string {
	return headerText(inviter.displayName, 60) || inviter.email;
}

function quoted(text: string, max = 80): string {
	return `"${headerText(text, max)}"`;
}

/** A sign-up invitation's links: Auth's invite link, and the password page for when it has expired. */
interface SignUpLinks {
	acceptLink: string;
	resetLink: string;
}

const UNEXPECTED = 'If you did not expect this email, ignore it: nothing happens unless you follow the link.';

function day(iso: string): string {
	const date = new Date(iso);
	return `${date.toISOString().slice(0, 10)} (UTC)`;
}

export function jobSharedEmail(p: { to: string; inviter: Inviter; jobName: string; toolId: string; link: string }): EmailMessage {
	return render({
		to: p.to,
		subject: `${shortName(p.inviter)} shared ${quoted(p.jobName, 60)} with you on Foldwork`,
		lines: [`${who(p.inviter)} shared the job ${quoted(p.jobName, 200)} (${p.toolId}) with you on Foldwork.`],
		action: { label: 'Open the job', url: p.link },
		after: [`You get this email because ${p.inviter.email} shared a job with ${p.to}.`]
	});
}

export function jobInvitationEmail(p: { to: string; inviter: Inviter; jobName: string; toolId: string } & SignUpLinks): EmailMessage {
	return render({
		to: p.to,
		subject: `${shortName(p.inviter)} invited you to see ${quoted(p.jobName, 60)} on Foldwork`,
		lines: [
			`${who(p.inviter)} shared the job ${quoted(p.jobName, 200)} (${p.toolId}) with you on Foldwork, where teams run computational-biology tools.`,
			'Follow the link to create your account (you choose a password next) and open the job.'
		],
		action: { label: 'Accept the invitation', url: p.acceptLink },
		after: [
			`The link works once, for a limited time. If it has expired, ask ${p.inviter.email} to share the job again, or set a password for ${p.to} here (this confirms the address too); the job will be waiting for you:`,
			p.resetLink,
			UNEXPECTED
		]
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

export function teamInvitationEmail(p: TeamInvite & { link: string }): EmailMessage {
	return render({
		to: p.to,
		subject: teamSubject(p),
		lines: [`${who(p.inviter)} invited you to join the team ${quoted(p.teamName, 120)} on Foldwork as ${roleText(p.role)}.`],
		action: { label: 'Accept or decline', url: p.link },
		after: [`The invitation expires on ${day(p.expiresAt)}.`]
	});
}

export function teamSignUpInvitationEmail(p: TeamInvite & SignUpLinks): EmailMessage {
	return render({
		to: p.to,
		subject: teamSubject(p),
		lines: [
			`${who(p.inviter)} invited you to join the team ${quoted(p.teamName, 120)} on Foldwork, where teams run computational-biology tools, as ${roleText(p.role)}.`,
			'Follow the link to create your account (you choose a password next); you join the team as you do.'
		],
		action: { label: 'Join the team', url: p.acceptLink },
		after: [
			`The invitation expires on ${day(p.expiresAt)}. The link works once, for a limited time: if it has expired, ask ${p.inviter.email} to send the invitation again, or set a password for ${p.to} here (this confirms the address, and you join the team):`,
			p.resetLink,
			UNEXPECTED
		]
	});
}
