// How times, sizes and durations read on every page.
import { count } from '#lib/ui/plural.ts';

export function formatDuration(ms: number | null | undefined): string {
	if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
	if (ms < 1000) return `${Math.round(ms)} ms`;
	const s = ms / 1000;
	if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
	return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Wall time of a job: start to finish, or start to now while it runs. */
export function jobDurationMs(job: { started_at: string | null; finished_at: string | null }, now = Date.now()): number | null {
	if (!job.started_at) return null;
	const end = job.finished_at ? Date.parse(job.finished_at) : now;
	return end - Date.parse(job.started_at);
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KiB', 'MiB', 'GiB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null | undefined): string {
	return iso ? dateTime.format(new Date(iso)) : '—';
}

/** "0 credits", "1 credit", "2 credits": an amount (a balance, a refund). */
export function creditCount(credits: number): string {
	return count(credits, 'credit');
}

/** What something costs: "Free", "1 credit", "2 credits". */
export function formatCredits(credits: number): string {
	return credits === 0 ? 'Free' : creditCount(credits);
}

/** A job's cost as the jobs list shows it: "Free", "2 credits", or "2 → refunded" once the database gave them back. */
export function formatJobCredits(job: { credits_charged: number; credits_refunded: number }): string {
	return job.credits_refunded > 0 ? `${job.credits_charged} → refunded` : formatCredits(job.credits_charged);
}
