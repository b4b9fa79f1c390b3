// GoTrue's rate limits, counted as GoTrue counts them ([auth.rate_limit] of
// config.toml), so what passes here passes on hosted Supabase and what is
// refused there is refused here:
// - per client address (the gateway decides it, see gateway.ts), one token
//   bucket per endpoint: 30 requests at once, refilled at N per 5 minutes;
//   a bucket is forgotten an hour after it was made (tollbooth's TTL) and
//   starts full again;
// - emails, for the whole project: N an hour in fixed windows, counted only
//   while email confirmations are on (GoTrue skips it with autoconfirm).
// No limit is per account: a per-account lockout would let anyone lock a
// victim out by guessing wrong on purpose.
import type { AuthRateLimits } from '../config.ts';
import { AuthError } from './errors.ts';

const FIVE_MINUTES_S = 5 * 60;
/** GoTrue's burst for every per-address bucket but anonymous sign-ins. */
const BURST = 30;
/** tollbooth's DefaultExpirationTTL in GoTrue's limiters. */
const BUCKET_TTL_MS = 60 * 60 * 1000;
const SWEEP_EVERY = 1024;
/** GoTrue's MFA.RateLimitChallengeAndVerify default. */
const MFA_PER_MINUTE = 15;

interface Bucket {
	tokens: number;
	updatedAt: number;
	expiresAt: number;
}

/** golang.org/x/time/rate token buckets, one per key, as tollbooth keeps them. */
export class TokenBuckets {
	private readonly buckets = new Map<string, Bucket>();
	private created = 0;
	private readonly perSecond: number;
	private readonly burst: number;
	private readonly ttlMs: number;
	private readonly now: () => number;

	constructor(perSecond: number, burst: number, ttlMs = BUCKET_TTL_MS, now: () => number = Date.now) {
		this.perSecond = perSecond;
		this.burst = burst;
		this.ttlMs = ttlMs;
		this.now = now;
	}

	/** Takes one token from `key`'s bucket; false when it is empty. */
	allow(key: string): boolean {
		const now = this.now();
		let bucket = this.buckets.get(key);
		if (!bucket || now >= bucket.expiresAt) {
			if (++this.created % SWEEP_EVERY === 0) this.sweep(now);
			bucket = { tokens: this.burst, updatedAt: now, expiresAt: now + this.ttlMs };
			this.buckets.set(key, bucket);
		}
		bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
		bucket.updatedAt = now;
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	private sweep(now: number): void {
		for (const [key, bucket] of this.buckets) if (now >= bucket.expiresAt) this.buckets.delete(key);
	}
}

/** GoTrue's IntervalLimiter: `events` per fixed window that starts when the service starts. */
export class IntervalLimiter {
	private windowStart: number;
	private count = 0;
	private readonly events: number;
	private readonly intervalMs: number;
	private readonly now: () => number;

	constructor(events: number, intervalMs: number, now: () => number = Date.now) {
		this.events = events;
		this.intervalMs = intervalMs;
		this.now = now;
		this.windowStart = now();
	}

	allow(): boolean {
		const now = this.now();
		const windows = Math.floor((now - this.windowStart) / this.intervalMs);
		if (windows > 0) {
			this.windowStart += windows * this.intervalMs;
			this.count = 0;
		}
		if (this.count >= this.events) return false;
		this.count++;
		return true;
	}
}

/**
 * One bucket set per GoTrue limiter. Endpoints that share a config value
 * still count separately, as in GoTrue (30 sign-ups do not use up /otp).
 */
export interface AuthLimiters {
	/** POST /signup with an email or phone (sign_in_sign_ups). */
	signups: TokenBuckets;
	otp: TokenBuckets;
	magicLink: TokenBuckets;
	recover: TokenBuckets;
	resend: TokenBuckets;
	/** PUT /user (sign_in_sign_ups). */
	user: TokenBuckets;
	/** Every POST /token grant: password, refresh_token, pkce (token_refresh). */
	token: TokenBuckets;
	/** GET and POST /verify (token_verifications). */
	verify: TokenBuckets;
	/** POST /signup without email or phone: anonymous sign-ins (anonymous_users an hour, burst the same). */
	anonymous: TokenBuckets;
	/** POST /factors/{id}/verify and /challenge: GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY (15 a minute, burst 30, forgotten after a minute). */
	factorVerify: TokenBuckets;
	factorChallenge: TokenBuckets;
	/** Every auth email (email_sent). */
	email: IntervalLimiter;
	emailsPerHour: number;
}

export function createLimiters(limits: AuthRateLimits, now: () => number = Date.now): AuthLimiters {
	const per5Min = (n: number) => new TokenBuckets(n / FIVE_MINUTES_S, BURST, BUCKET_TTL_MS, now);
	return {
		signups: per5Min(limits.signInSignUpsPer5Min),
		otp: per5Min(limits.signInSignUpsPer5Min),
		magicLink: per5Min(limits.signInSignUpsPer5Min),
		recover: per5Min(limits.signInSignUpsPer5Min),
		resend: per5Min(limits.signInSignUpsPer5Min),
		user: per5Min(limits.signInSignUpsPer5Min),
		token: per5Min(limits.tokenRefreshPer5Min),
		verify: per5Min(limits.tokenVerificationsPer5Min),
		anonymous: new TokenBuckets(limits.anonymousUsersPerHour / 3600, limits.anonymousUsersPerHour, BUCKET_TTL_MS, now),
		factorVerify: new TokenBuckets(MFA_PER_MINUTE / 60, BURST, 60_000, now),
		factorChallenge: new TokenBuckets(MFA_PER_MINUTE / 60, BURST, 60_000, now),
		email: new IntervalLimiter(limits.emailSentPerHour, 60 * 60 * 1000, now),
		emailsPerHour: limits.emailSentPerHour
	};
}

/** Refuses the request with GoTrue's 429 when `clientAddress` has used up its bucket. */
export function limitByAddress(buckets: TokenBuckets, clientAddress: string): void {
	if (!buckets.allow(clientAddress)) throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
}

/**
 * GoTrue's check before it sends any auth email (after the per-user
 * max_frequency spacing): none at all when email_sent is 0, else the hourly
 * quota, which only counts while confirmations are on.
 */
export function countEmail(limiters: AuthLimiters, autoconfirm: boolean): void {
	const exceeded = new AuthError(429, 'over_email_send_rate_limit', 'email rate limit exceeded');
	if (limiters.emailsPerHour === 0) throw exceeded;
	if (!autoconfirm && !limiters.email.allow()) throw exceeded;
}
