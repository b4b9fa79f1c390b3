// The share dialog's address box, its live invite list, and saving through
// the share-job edge function (its answers and refusals).
import { FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { applyShareEvent, isPending, parseEmailList, saveSharing, SharingError, type JobShare } from '#lib/jobs/sharing.ts';

describe('parseEmailList', () => {
	it('takes several addresses at once, however they are separated, lower-cased and each once', () => {
		expect(parseEmailList('Ada@Example.org, grace@example.org;linus@example.org\nada@example.org  ken@example.org')).toEqual({
			valid: ['ada@example.org', 'grace@example.org', 'linus@example.org', 'ken@example.org'],
			invalid: []
		});
	});

	it('accepts <address> as mail programs paste it', () => {
		expect(parseEmailList('<ada@example.org>')).toEqual({ valid: ['ada@example.org'], invalid: [] });
	});

	it('names what is not an address, as typed', () => {
		expect(parseEmailList('ada@example.org, Not-An-Email, bob@, @x.org, a@b')).toEqual({
			valid: ['ada@example.org'],
			invalid: ['Not-An-Email', 'bob@', '@x.org', 'a@b']
		});
		expect(parseEmailList(`${'x'.repeat(250)}@example.org`).invalid).toHaveLength(1);
	});

	it('finds nothing in blank text', () => {
		expect(parseEmailList(' ,; \n')).toEqual({ valid: [], invalid: [] });
	});
});

describe('the live invite list', () => {
	const share = (n: number, fields: Partial<JobShare> = {}): JobShare => ({
		id: `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`,
		email: `person${n}@example.org`,
		user_id: null,
		created_at: `2026-11-28T10:00:0${n}+00:00`,
		...fields
	});

	it('shows a pending invite losing its badge when the person signs up', () => {
		const before = [share(1), share(2)];
		expect(before.every(isPending)).toBe(true);
		const after = applyShareEvent(before, { type: 'upsert', share: share(1, { user_id: '22222222-2222-4222-8222-222222222222' }) });
		expect(after.map((s) => [s.email, isPending(s)])).toEqual([
			['person1@example.org', false],
			['person2@example.org', true]
		]);
	});

	it('adds invites in the order they were made, and takes removed ones out', () => {
		const added = applyShareEvent([share(2)], { type: 'upsert', share: share(1) });
		expect(added.map((s) => s.email)).toEqual(['person1@example.org', 'person2@example.org']);
		expect(applyShareEvent(added, { type: 'delete', id: share(2).id }).map((s) => s.email)).toEqual(['person1@example.org']);
	});
});

describe('saving through the share-job function', () => {
	const JOB = '11111111-1111-4111-8111-111111111111';
	const saved: JobShare = { id: 'aaaaaaaa-0000-4000-8000-000000000001', email: 'ada@example.org', user_id: null, created_at: '2026-11-28T10:00:00+00:00' };

	/** A client whose function calls answer in turn, and whose job_shares read gives `shares`. */
	function fakeClient(answers: Array<{ data: unknown; error: unknown }>, shares: JobShare[] = [saved]) {
		const calls: Array<{ name: string; body: unknown }> = [];
		const query = {
			select: () => query,
			eq: () => query,
			order: () => query,
			then: (resolve: (value: { data: JobShare[]; error: null }) => void) => resolve({ data: shares, error: null })
		};
		const client = {
			functions: {
				invoke: async (name: string, options: { body: unknown }) => {
					calls.push({ name, body: options.body });
					return answers.shift() ?? { data: null, error: new Error('no more answers') };
				}
			},
			from: () => query
		} as unknown as SupabaseClient;
		return { client, calls };
	}
	const refusal = (status: number, body: unknown) => ({ data: null, error: new FunctionsHttpError(new Response(JSON.stringify(body), { status })) });
	const answer = (visibility: string, shares: unknown[] = []) => ({ data: { job: { id: JOB, visibility }, shares }, error: null });

	it('sends the visibility and the new addresses, then unshares the removed ones', async () => {
		const { client, calls } = fakeClient([answer('invited', [{ email: 'ada@example.org', notification: { status: 'sent' } }]), { data: { removed: ['bob@example.org'] }, error: null }]);
		const result = await saveSharing(client, JOB, { visibility: 'invited', invite: ['ada@example.org'], remove: ['bob@example.org'] });
		expect(calls).toEqual([
			{ name: 'share-job', body: { job_id: JOB, visibility: 'invited', emails: ['ada@example.org'] } },
			{ name: 'share-job', body: { action: 'unshare', job_id: JOB, emails: ['bob@example.org'] } }
		]);
		expect(result).toEqual({ visibility: 'invited', shares: [saved], warning: null });
	});

	it('sends no addresses with another visibility', async () => {
		const { client, calls } = fakeClient([answer('public')]);
		await saveSharing(client, JOB, { visibility: 'public', invite: ['ada@example.org'], remove: [] });
		expect(calls).toEqual([{ name: 'share-job', body: { job_id: JOB, visibility: 'public' } }]);
	});

	it('puts what is wrong with an address beside the address box', async () => {
		const message = 'emails[0]: "x@y" is not an email address';
		const { client } = fakeClient([refusal(400, { error: message, code: 'invalid_request', issues: [{ path: 'emails[0]', message }] })]);
		const error = await saveSharing(client, JOB, { visibility: 'invited', invite: ['x@y'], remove: [] }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SharingError);
		expect((error as SharingError).emailProblems).toEqual([message]);
	});

	it("shows a refusal's message (not allowed)", async () => {
		const { client } = fakeClient([refusal(403, { error: 'viewers cannot share jobs', code: 'forbidden' })]);
		await expect(saveSharing(client, JOB, { visibility: 'public', invite: [], remove: [] })).rejects.toThrow(new SharingError('Viewers cannot share jobs'));
	});

	it('saves over the hourly email limit, and says the emails did not go out', async () => {
		const message = 'at most 100 emails per hour; the job is shared with them all the same, but no email went out.';
		const { client } = fakeClient([refusal(429, { error: message, code: 'email_rate_limited', ...answer('invited').data })]);
		const result = await saveSharing(client, JOB, { visibility: 'invited', invite: ['ada@example.org'], remove: [] });
		expect(result.visibility).toBe('invited');
		expect(result.warning).toBe(`A${message.slice(1)}`);
	});

	it('names the addresses whose email failed', async () => {
		const { client } = fakeClient([answer('invited', [{ email: 'ada@example.org', notification: { status: 'failed', error: 'SMTP down' } }])]);
		const result = await saveSharing(client, JOB, { visibility: 'invited', invite: ['ada@example.org'], remove: [] });
		expect(result.warning).toContain('ada@example.org could not be sent (SMTP down)');
	});

	it('treats a server failure as unexpected', async () => {
		const { client } = fakeClient([refusal(500, { error: 'share-job failed unexpectedly', code: 'internal_error' })]);
		const error = await saveSharing(client, JOB, { visibility: 'private', invite: [], remove: [] }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(SharingError);
	});
});
