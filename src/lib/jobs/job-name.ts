// A job's name, as every form checks it before sending: trimmed, not empty,
// at most JOB_NAME_MAX characters. The database holds the same limit
// (private.check_job_name and the jobs.name check);
// tests/db/input-limits.test.ts proves the two refuse the same names.
import { z } from 'zod';

export const JOB_NAME_MAX = 200;

export const jobNameSchema = z
	.string()
	.trim()
	.min(1, { error: 'Give the job a name.' })
	// Characters as the database counts them (code points: an emoji is one).
	.refine((name) => characters(name) <= JOB_NAME_MAX, { error: (issue) => `A job name has at most ${JOB_NAME_MAX} characters; this one has ${characters(String(issue.input))}.` });

function characters(text: string): number {
	return [...text].length;
}

/** What is wrong with a name before it is sent, or null when it may be sent (trimmed). */
export function checkJobName(name: string): string | null {
	const parsed = jobNameSchema.safeParse(name);
	return parsed.success ? null : parsed.error.issues[0].message;
}
