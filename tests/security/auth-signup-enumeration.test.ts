// Someone probing whether an address has an account, from the outside, with
// email confirmations on (config.toml): GoTrue answers /signup for a
// confirmed address with a stand-in user, no session and no email, and the
// local Auth must answer the same, in about the same time.
import { describe, expect, it } from 'vitest';
import { clientFrom, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { serviceClient, uniqueEmail } from '../helpers/stack.ts';

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function confirmedAccount(prefix: string): Promise<{ email: string; id: string }> {
	const email = uniqueEmail(prefix);
	const { data, error } = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { display_name: 'Owner' } });
	expect(error).toBeNull();
	return { email, id: data.user!.id };
}

describe('signing up with an address that already has a confirmed account', () => {
	it('answers like a new sign-up: 200, a user of the same shape, no session', async () => {
		const prober = clientFrom(randomLoopbackAddress());
		const taken = await confirmedAccount('taken');
		const fresh = await prober.auth.signUp({ email: uniqueEmail('fresh'), password: PASSWORD, options: { data: { display_name: 'Probe' } } });
		const probe = await prober.auth.signUp({ email: taken.email, password: 'a-different-password', options: { data: { display_name: 'Probe' } } });

		expect(fresh.error).toBeNull();
		expect(probe.error).toBeNull();
		expect(fresh.data.session).toBeNull();
		expect(probe.data.session).toBeNull();
		expect(Object.keys(probe.data.user!).sort()).toEqual(Object.keys(fresh.data.user!).sort());
		// Nothing of the real account: not its id, its metadata, or its confirmation.
		expect(probe.data.user!.id).not.toBe(taken.id);
		expect(probe.data.user!.email).toBe(taken.email);
		expect(probe.data.user!.user_metadata).toEqual({ display_name: 'Probe' });
		expect(probe.data.user!.email_confirmed_at).toBeUndefined();
		expect(probe.data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
		// GoTrue's stand-in has no identities and an empty role, where a new
		// user has one of each: that is GoTrue's answer too (supabase-js users
		// are told to read `identities.length === 0` as "already registered").
		expect(probe.data.user!.identities).toEqual([]);
		expect(probe.data.user!.role).toBe('');

		// The account is untouched: its password still works, the prober's does not.
		const owner = clientFrom(randomLoopbackAddress());
		expect((await owner.auth.signInWithPassword({ email: taken.email, password: PASSWORD })).error).toBeNull();
		expect((await owner.auth.signInWithPassword({ email: taken.email, password: 'a-different-password' })).error?.code).toBe('invalid_credentials');
	}, 60_000);

	it('takes about as long as a new sign-up: the same password hashing happens', async () => {
		const prober = clientFrom(randomLoopbackAddress());
		const taken = await confirmedAccount('timed');
		const time = async (email: string) => {
			const started = performance.now();
			const { error } = await prober.auth.signUp({ email, password: PASSWORD });
			expect(error).toBeNull();
			return performance.now() - started;
		};
		const freshTimes: number[] = [];
		const takenTimes: number[] = [];
		for (let round = 0; round < 7; round++) {
			freshTimes.push(await time(uniqueEmail('timed-fresh')));
			takenTimes.push(await time(taken.email));
		}
		const fresh = median(freshTimes);
		const known = median(takenTimes);
		console.log(`sign-up medians: new address ${fresh.toFixed(0)} ms, confirmed address ${known.toFixed(0)} ms`);
		// Generous: without the hashing the confirmed address answered 20-100
		// times faster. A new sign-up still does more (its rows, the triggers
		// on auth.users, the email), so the two are not equal.
		expect(known).toBeGreaterThan(fresh / 5);
	}, 120_000);
});

describe('signInWithOtp with shouldCreateUser: false', () => {
	it('answers unknown and known addresses differently, exactly as GoTrue does', async () => {
		const client = clientFrom(randomLoopbackAddress());
		const unknown = await client.auth.signInWithOtp({ email: uniqueEmail('otp-unknown'), options: { shouldCreateUser: false } });
		expect(unknown.error?.status).toBe(422);
		expect(unknown.error?.code).toBe('otp_disabled');
		expect(unknown.error?.message).toBe('Signups not allowed for otp');
		const { email } = await confirmedAccount('otp-known');
		expect((await client.auth.signInWithOtp({ email, options: { shouldCreateUser: false } })).error).toBeNull();
	});
});
