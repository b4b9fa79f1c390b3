// Email abuse (issue 14, item 9), from the senders' side: many people (or
// one person with many jobs) share with, and invite, the same address. At
// most 12 sharing and invitation emails reach one address per rolling day,
// whoever sends them; the 13th is not sent and the answer says so, while
// the share or invite itself is saved and other addresses still get theirs.
import { beforeAll, describe, expect, it } from 'vitest';
import { listMail } from '../helpers/mail.ts';
import { uniqueEmail } from '../helpers/stack.ts';
import { adminForFile, callFunction, COLD_START_MS, createJob, createTeam, person, type Person } from '../functions/support.ts';

const admin = adminForFile();

let first: Person;
beforeAll(async () => {
	first = await person(admin, 'sender');
	// Starts the functions (the first start may download their npm packages).
	expect((await callFunction('share-job', { job_id: await createJob(admin, first.teamId, first), visibility: 'private' }, { token: first.token })).status).toBe(200);
}, COLD_START_MS);

async function shareFromNewSender(target: string, extra: string[] = []) {
	const sender = await person(admin, 'sender');
	const job = await createJob(admin, sender.teamId, sender, 'Look at this');
	return callFunction('share-job', { job_id: job, visibility: 'invited', emails: [target, ...extra] }, { token: sender.token });
}

describe('the per-recipient daily cap', () => {
	it('sends one address 12 emails from 12 senders, not the 13th (share) nor the 14th (invite), and says so', async () => {
		const target = uniqueEmail('popular');
		for (let i = 1; i <= 12; i++) {
			const answer = await shareFromNewSender(target);
			expect(answer.body.shares[0].notification, `email ${i}`).toEqual({ status: 'sent' });
		}
		expect(await listMail(target)).toHaveLength(12);

		const bystander = uniqueEmail('bystander');
		const thirteenth = await shareFromNewSender(target, [bystander]);
		expect(thirteenth.status).toBe(200);
		const [capped, other] = thirteenth.body.shares;
		expect(capped).toMatchObject({ email: target, state: 'pending', notification: { status: 'recipient_limited', limit: 12, retry_after: expect.any(String) } });
		expect(capped.notification.error).toMatch(
			new RegExp(`^no email went to ${target.replace(/[.+]/g, '\\$&')}: it has had 12 invitation and sharing emails in the last 24 hours, the most one address gets, so this one was not sent; try again after \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`)
		);
		// The first of the 12 leaves the day's window in about 24 hours.
		expect(Date.parse(capped.notification.retry_after)).toBeGreaterThan(Date.now() + 23.9 * 3_600_000);
		expect(other).toMatchObject({ email: bystander, notification: { status: 'sent' } });
		// The share is saved all the same.
		expect(Number((await admin.query('select count(*) from public.job_shares where email = $1', [target])).rows[0].count)).toBe(13);

		const inviter = await person(admin, 'inviter');
		const team = await createTeam(admin, inviter, 'Yet another lab');
		const invited = await callFunction('invite-member', { action: 'invite', team_id: team, emails: [target] }, { token: inviter.token });
		expect(invited.status).toBe(200);
		expect(invited.body.invites[0].notification).toMatchObject({ status: 'recipient_limited', limit: 12 });
		// The function answers after sending: the inbox is final.
		expect(await listMail(target)).toHaveLength(12);
		expect(await listMail(bystander)).toHaveLength(1);
	});

	it('counts one sender\'s many jobs too', async () => {
		const target = uniqueEmail('spammed');
		const notifications: string[] = [];
		for (let i = 0; i < 13; i++) {
			const job = await createJob(admin, first.teamId, first, `Job ${i}`);
			const answer = await callFunction('share-job', { job_id: job, visibility: 'invited', emails: [target] }, { token: first.token });
			notifications.push(answer.body.shares[0].notification.status);
		}
		expect(notifications).toEqual([...Array(12).fill('sent'), 'recipient_limited']);
		expect(await listMail(target)).toHaveLength(12);
	});
});
