// POST /functions/v1/share-job: a team member sets who can see a job and, for
// visibility "invited", shares it with people by email; or takes shares
// away. Everything is decided by the database as the caller (RLS, the
// share_job_with / unshare_job RPCs); only then does the service role email
// the people added: a "shared with you" link for confirmed accounts, an
// invitation to sign up (the web app's sign-up page; no Auth user is made)
// for everyone else. Every share starts pending and attaches when its
// recipient claims it with proven credentials, so the answer is the same
// whether or not an address has an account.
//
//   {"job_id", "visibility", "emails"?: [...]}          share ("action": "share" may be given)
//   {"action": "unshare", "job_id", "emails": [...]}     take shares away (access ends at once)
//
// Idempotent: sharing again adds no share row, and each address gets at most
// one email about a job per hour. See supabase/functions/README.md.
import { z } from 'zod';
import { jobInvitationEmail, jobSharedEmail, type Inviter } from '../_shared/email/templates.ts';
import { HttpError, jsonResponse, readJson, servePost } from '../_shared/http.ts';
import { appLink, jobPath, pendingAccessLink, signUpLink } from '../_shared/links.ts';
import { notify, outcomeKey, type Notification, type Outgoing } from '../_shared/notify.ts';
import { addressesWithAccounts } from '../_shared/recipients.ts';
import { callerClient, callRpc } from '../_shared/supabase.ts';
import { emailList, MAX_BODY_BYTES, parseBody, unknownFields, uuidField } from '../_shared/validate.ts';

const EXAMPLE = '{"job_id": "<uuid>", "visibility": "invited", "emails": ["ada@example.com"]}';
const VISIBILITIES = ['private', 'authenticated', 'invited', 'public'] as const;

const shareBody = z
	.strictObject(
		{
			action: z.literal('share').optional(),
			job_id: uuidField('job_id'),
			visibility: z.enum(VISIBILITIES, {
				error: (issue) => (issue.input === undefined ? 'visibility is required' : `visibility must be one of ${VISIBILITIES.join(', ')}`)
			}),
			emails: emailList('emails').optional()
		},
		{ error: unknownFields('action, job_id, visibility and emails') }
	)
	.superRefine((body, ctx) => {
		if ((body.emails?.length ?? 0) > 0 && body.visibility !== 'invited') {
			ctx.addIssue({ code: 'custom', path: ['emails'], message: `people are invited by email only with visibility "invited", not "${body.visibility}": leave out emails or choose "invited"` });
		}
	});

const unshareBody = z.strictObject(
	{ action: z.literal('unshare'), job_id: uuidField('job_id'), emails: emailList('emails', { min: 1 }) },
	{ error: unknownFields('action, job_id and emails') }
);

interface Shared {
	job: { id: string; team_id: string; tool_id: string; name: string; visibility: string };
	sender: { id: string; display_name: string; email: string };
	shares: Array<{ id: string; email: string; user_id: string | null; accepted_at: string | null }>;
}

servePost('share-job', async (request) => {
	const client = callerClient(request);
	const body = await readJson(request, MAX_BODY_BYTES, EXAMPLE);
	const action = (body as { action?: unknown } | null)?.action ?? 'share';
	if (action === 'unshare') {
		const { job_id, emails } = parseBody(unshareBody, body);
		const removed: string[] = [];
		const notShared: string[] = [];
		for (const email of emails) (await callRpc<boolean>(client, 'unshare_job', { job_id, email }) ? removed : notShared).push(email);
		return jsonResponse({ job_id, removed, not_shared: notShared });
	}
	if (action !== 'share') throw new HttpError(400, 'invalid_request', `action must be "share" (the default) or "unshare", not ${JSON.stringify(action)}.`);

	const { job_id, visibility, emails = [] } = parseBody(shareBody, body);
	// The caller's permission, the visibility and the shares: one transaction, as the caller.
	const shared = await callRpc<Shared>(client, 'share_job_with', { job_id, visibility, emails });
	const { job, sender } = shared;
	const inviter: Inviter = { displayName: sender.display_name, email: sender.email };
	const path = jobPath(job.tool_id, job.id);
	const link = appLink(path);

	const accounts = await addressesWithAccounts(shared.shares.map((share) => share.email));
	const outgoing: Outgoing[] = shared.shares.map((share) => ({
		email: share.email,
		subjectId: job.id,
		compose: () =>
			accounts.has(share.email)
				? jobSharedEmail({ to: share.email, inviter, jobName: job.name, toolId: job.tool_id, link: pendingAccessLink(path) })
				: jobInvitationEmail({ to: share.email, inviter, jobName: job.name, toolId: job.tool_id, signUpLink: signUpLink(share.email, path) })
	}));

	const answer = (notifications: Map<string, Notification> | null) => ({
		job: { id: job.id, name: job.name, tool_id: job.tool_id, visibility: job.visibility, link },
		shares: shared.shares.map((share) => ({
			email: share.email,
			share_id: share.id,
			state: share.user_id ? 'active' : 'pending',
			notification: notifications?.get(outcomeKey(share.email, job.id)) ?? { status: 'not_sent' }
		}))
	});

	const notifications = await notify(sender.id, 'job_share', outgoing, 'The job is shared with them all the same, but no email went out.', answer(null));
	return jsonResponse(answer(notifications));
});
