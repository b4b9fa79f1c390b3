// The job status model as the web app sees it (the database enforces the
// transitions; see DESIGN.md "Job lifecycle").
import { z } from 'zod';
import type { TeamRole } from '#lib/teams/current-team.ts';

export const JOB_STATUSES = ['pending', 'queued', 'processing', 'retry', 'completed', 'failed', 'cancelled', 'timeout'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const JOB_VISIBILITIES = ['private', 'authenticated', 'invited', 'public'] as const;
export const jobVisibilitySchema = z.enum(JOB_VISIBILITIES);
export type JobVisibility = z.infer<typeof jobVisibilitySchema>;

export const VISIBILITY_LABELS: Record<JobVisibility, string> = {
	private: 'Private',
	authenticated: 'Logged-in users',
	invited: 'Invited only',
	public: 'Public'
};

export const STATUS_LABELS: Record<JobStatus, string> = {
	pending: 'Pending',
	queued: 'Queued',
	processing: 'Running',
	retry: 'Retrying',
	completed: 'Completed',
	failed: 'Failed',
	cancelled: 'Cancelled',
	timeout: 'Timed out'
};

export type BadgeTone = 'ok' | 'danger' | 'warn' | 'info' | 'muted';

export const STATUS_TONES: Record<JobStatus, BadgeTone> = {
	pending: 'muted',
	queued: 'muted',
	processing: 'info',
	retry: 'warn',
	completed: 'ok',
	failed: 'danger',
	cancelled: 'muted',
	timeout: 'danger'
};

// The status groups, here and nowhere else in TypeScript. The database has
// the same groups (public.job_status_is_terminal; the statuses whose cancel
// refunds in private.job_change_refunds); tests/db/status-groups.test.ts
// checks that both agree on every status.

/** Final: no status change follows (the database refuses one). */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'timeout'];
/** Still on its way: waiting or running; it can be cancelled. */
export const ACTIVE_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status));
/** Not running now, waiting to (created, queued, or waiting in retry after a fault). */
export const WAITING_STATUSES: readonly JobStatus[] = ['pending', 'queued', 'retry'];
/** Ended without a result, so it can be retried or edited and run again. */
export const UNSUCCESSFUL_STATUSES: readonly JobStatus[] = ['failed', 'timeout', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
	return TERMINAL_STATUSES.includes(status);
}

export function isActive(status: JobStatus): boolean {
	return ACTIVE_STATUSES.includes(status);
}

export function isWaiting(status: JobStatus): boolean {
	return WAITING_STATUSES.includes(status);
}

export type JobAction = 'rename' | 'delete' | 'retry' | 'edit' | 'duplicate' | 'share' | 'cancel';

/**
 * What the menu offers, mirroring the RPCs' checks (which decide anyway):
 * only members who are not viewers act; delete is the submitter's or an
 * owner's/admin's. `edit` ("Edit and run again") opens the tool's form with
 * the input of a job that did not complete, to fix it and submit anew.
 */
export function allowedActions(job: { status: JobStatus; submitted_by: string | null }, viewer: { userId: string; role: TeamRole | null }): Set<JobAction> {
	const actions = new Set<JobAction>();
	if (!viewer.role || viewer.role === 'viewer') return actions;
	actions.add('rename');
	actions.add('share');
	if (job.submitted_by === viewer.userId || viewer.role === 'owner' || viewer.role === 'admin') actions.add('delete');
	if (UNSUCCESSFUL_STATUSES.includes(job.status)) {
		actions.add('retry');
		actions.add('edit');
	}
	if (job.status === 'completed') actions.add('duplicate');
	if (isActive(job.status)) actions.add('cancel');
	return actions;
}

/**
 * What cancelling a job now does to its credits, as the database decides
 * (private.job_change_refunds): a job that has not started (pending,
 * queued) or waits in retry gets them back; a running one does not.
 */
export function cancelRefunds(status: JobStatus): boolean {
	return isWaiting(status);
}
