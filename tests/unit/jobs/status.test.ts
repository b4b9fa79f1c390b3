// What the job menu offers and what cancelling does to credits, as the
// database decides them (the RPCs and private.job_change_refunds).
import { describe, expect, it } from 'vitest';
import { formatJobCredits } from '#lib/jobs/format.ts';
import { allowedActions, cancelRefunds, JOB_STATUSES, type JobStatus } from '#lib/jobs/status.ts';

const ME = 'user-1';
const actionsFor = (status: JobStatus, role: 'owner' | 'member' | 'viewer' | null = 'member') => [...allowedActions({ status, submitted_by: ME }, { userId: ME, role })].sort();

describe('job actions', () => {
	it('offers Edit and run again, and Retry, for jobs that did not complete; Duplicate for completed ones', () => {
		for (const status of ['failed', 'timeout', 'cancelled'] as const) expect(actionsFor(status)).toEqual(['delete', 'edit', 'rename', 'retry', 'share']);
		expect(actionsFor('completed')).toEqual(['delete', 'duplicate', 'rename', 'share']);
		expect(actionsFor('pending')).toEqual(['cancel', 'delete', 'rename', 'share']);
	});

	it('offers viewers and outsiders nothing that changes or re-runs a job', () => {
		for (const status of JOB_STATUSES) {
			expect(actionsFor(status, 'viewer')).toEqual([]);
			expect(actionsFor(status, null)).toEqual([]);
		}
	});

	it('refunds a cancel only before the job started or while it waits in retry', () => {
		expect(JOB_STATUSES.filter(cancelRefunds)).toEqual(['pending', 'queued', 'retry']);
	});
});

describe('formatJobCredits', () => {
	it('reads "Free", "1 credit", "2 credits", and "2 → refunded" once refunded', () => {
		expect(formatJobCredits({ credits_charged: 0, credits_refunded: 0 })).toBe('Free');
		expect(formatJobCredits({ credits_charged: 1, credits_refunded: 0 })).toBe('1 credit');
		expect(formatJobCredits({ credits_charged: 2, credits_refunded: 0 })).toBe('2 credits');
		expect(formatJobCredits({ credits_charged: 2, credits_refunded: 2 })).toBe('2 → refunded');
	});
});
