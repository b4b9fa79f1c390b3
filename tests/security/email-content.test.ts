// Sender-written text in emails (issue 14, item 9), from the side of a
// sender who names a job, a team and themselves with HTML and links, hoping
// the platform's email carries a clickable link of theirs. The emails carry
// exactly one link, built by the platform from its own address and ids; the
// sender's words are escaped in the HTML and defanged everywhere (no URL, no
// domain a mail client would turn into a link), and never appear in a link.
import { beforeAll, describe, expect, it } from 'vitest';
import { waitForMail, type ReceivedMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { adminForFile, callFunction, COLD_START_MS, createJob, createTeam, person, type Person } from '../functions/support.ts';

const admin = adminForFile();
const JOB_NAME = '<b>Free credits</b> at https://evil.example/login?next=x or www.evil.example — "click" <a href="https://evil.example">here</a>';
const TEAM_NAME = 'Lab <img src=x onerror=alert(1)> evil.example';
const DISPLAY_NAME = 'Support\r\nBcc: all@evil.example <script>alert(1)</script> http://evil.example';

let sender: Person;
beforeAll(async () => {
	sender = await person(admin, 'sender');
	await admin.query('update public.profiles set display_name = $2 where id = $1', [sender.id, DISPLAY_NAME]);
	expect((await callFunction('share-job', { job_id: await createJob(admin, sender.teamId, sender), visibility: 'private' }, { token: sender.token })).status).toBe(200);
}, COLD_START_MS);

/** What a mail client could make clickable in the message: every URL-looking or domain-looking token in text and HTML. */
function expectOnlyOurLink(mail: ReceivedMail, link: string) {
	expect(mail.links).toEqual([link]);
	const hrefs = [...(mail.html ?? '').matchAll(/href="([^"]*)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
	expect(hrefs).toEqual([link]);
	for (const part of [mail.subject, mail.text, mail.html ?? '']) {
		expect(part).not.toMatch(/evil\.example/);
		expect(part).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
	}
	// In the HTML the sender's markup is text; in the plain text and the subject it is plain text anyway.
	expect(mail.html ?? '').not.toMatch(/<(b|img|script)[\s>]|<a (?!href="http:\/\/127\.0\.0\.1)/i);
	expect(mail.subject).not.toMatch(/[\r\n]/);
	// Nothing the sender wrote is in the link.
	expect(link).not.toMatch(/evil|Free|Support|Lab/i);
	expect(link.startsWith(`${stackInfo().siteUrl}/`)).toBe(true);
}

describe('sender-written text in emails', () => {
	it('is inert in a job-sharing email, to an account and to a new address', async () => {
		const job = await createJob(admin, sender.teamId, sender, JOB_NAME);
		const account = await person(admin, 'reader');
		const newcomer = uniqueEmail('newcomer');
		const answer = await callFunction('share-job', { job_id: job, visibility: 'invited', emails: [account.email, newcomer] }, { token: sender.token });
		expect(answer.status).toBe(200);
		const next = `/app/tools/protein-properties?jobId=${job}`;

		const shared = await waitForMail(account.email);
		expectOnlyOurLink(shared, `${stackInfo().siteUrl}/auth/pending?next=${encodeURIComponent(next)}`);
		// The words are still there to read, defanged and escaped.
		expect(shared.text).toContain('https[:]//evil[.]example/login?next=x or www[.]evil[.]example');
		expect(shared.html).toContain('&lt;b&gt;Free credits&lt;/b&gt;');
		// One line (no header injection), the name flattened and cut to 60 characters.
		expect(shared.subject).toMatch(/^Support Bcc: all@evil\[\.\]example <script>alert\(1\)<\/script> htt… shared "<b>Free credits<\/b> at https\[:\]\/\/evil/);

		const invitation = await waitForMail(newcomer);
		expectOnlyOurLink(invitation, `${stackInfo().siteUrl}/signup?email=${encodeURIComponent(newcomer)}&next=${encodeURIComponent(next)}`);
	});

	it('is inert in a team invitation, to an account and to a new address', async () => {
		const team = await createTeam(admin, sender, TEAM_NAME);
		const account = await person(admin, 'member');
		const newcomer = uniqueEmail('recruit');
		const answer = await callFunction('invite-member', { action: 'invite', team_id: team, emails: [account.email, newcomer] }, { token: sender.token });
		expect(answer.status).toBe(200);
		const ids = new Map<string, string>(answer.body.invites.map((i: { email: string; id: string }) => [i.email, i.id]));

		const invited = await waitForMail(account.email);
		expectOnlyOurLink(invited, `${stackInfo().siteUrl}/app/team/invites/${ids.get(account.email)}`);
		expect(invited.html).toContain('&lt;img src=x onerror=alert(1)&gt; evil[.]example');

		const signUp = await waitForMail(newcomer);
		expectOnlyOurLink(signUp, `${stackInfo().siteUrl}/signup?email=${encodeURIComponent(newcomer)}&next=${encodeURIComponent(`/app/team/invites/${ids.get(newcomer)}`)}`);
	});
});
