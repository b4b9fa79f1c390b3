// POST /functions/v1/request-credits: a team member asks Foldwork's operators
// for credits. The database decides as the caller (public.request_credits:
// a member who may run jobs; at most once an hour and 3 times a day per
// team) and records the request; then each operator address of
// OPERATOR_EMAILS gets an email saying who asks, for which team, how much,
// and the command that grants it. When no operator could be emailed, the
// request is taken back (so it does not use up the team's limit) and the
// caller is told to try again.
//
//   {"team_id": "<uuid>", "credits": 500, "message"?: "what for"}
//   → {"request": {id, credits, message, created_at}, "operators_notified": 2}
//
// See supabase/functions/README.md.
import { z } from 'zod';
import { emailProblem } from '../_shared/emails.ts';
import { creditRequestEmail } from '../_shared/email/templates.ts';
import { emailSender } from '../_shared/email/sender.ts';
import { HttpError, jsonResponse, readJson, servePost } from '../_shared/http.ts';
import { callerClient, callRpc, serviceClient } from '../_shared/supabase.ts';
import { parseBody, unknownFields, uuidField } from '../_shared/validate.ts';

const EXAMPLE = '{"team_id": "<uuid>", "credits": 500, "message": "For the kinase screen"}';
const MAX_BODY_BYTES = 8 * 1024;

const requestBody = z.strictObject(
	{
		team_id: uuidField('team_id'),
		credits: z.number({ error: (issue) => (issue.input === undefined ? 'credits is required' : 'credits must be a number') }).int({ error: 'credits must be a whole number' }),
		message: z.string({ error: 'message must be a string' }).max(4000, { error: 'message is too long: write at most 1000 characters' }).nullable().optional()
	},
	{ error: unknownFields('team_id, credits and message') }
);

type Answer =
	| {
			allowed: true;
			request: { id: string; credits: number; message: string | null; created_at: string };
			team: { id: string; name: string };
			requester: { id: string; display_name: string; email: string };
			balance: number;
	  }
	| { allowed: false; retry_after: string; message: string };

/** The operators' addresses (OPERATOR_EMAILS: comma- or space-separated); a 503 when none is set or one is not an address. */
function operatorAddresses(): string[] {
	const raw = Deno.env.get('OPERATOR_EMAILS') ?? '';
	const addresses = [...new Set(raw.split(/[\s,]+/).map((a) => a.trim().toLowerCase()).filter(Boolean))];
	const bad = addresses.filter((a) => emailProblem(a) !== null);
	if (addresses.length === 0 || bad.length > 0) {
		console.error(addresses.length === 0 ? 'request-credits: OPERATOR_EMAILS is not set' : `request-credits: OPERATOR_EMAILS has addresses that are not: ${bad.join(', ')}`);
		throw new HttpError(503, 'not_configured', 'Requests for credits cannot reach the operators of this Foldwork yet (no operator address is set up); ask your administrator.');
	}
	return addresses;
}

servePost('request-credits', async (request) => {
	const client = callerClient(request);
	const { team_id, credits, message } = parseBody(requestBody, await readJson(request, MAX_BODY_BYTES, EXAMPLE));
	const operators = operatorAddresses();

	const answer = await callRpc<Answer>(client, 'request_credits', { team_id, credits, message: message ?? null });
	if (!answer.allowed) {
		const seconds = Math.max(1, Math.ceil((Date.parse(answer.retry_after) - Date.now()) / 1000));
		throw new HttpError(429, 'rate_limited', answer.message, { retry_after: answer.retry_after }, { 'Retry-After': String(seconds) });
	}

	const sender = emailSender();
	const requester = { displayName: answer.requester.display_name, email: answer.requester.email };
	const results = await Promise.allSettled(
		operators.map((to) =>
			sender.send({
				...creditRequestEmail({ to, requester, team: answer.team, credits: answer.request.credits, balance: answer.balance, note: answer.request.message }),
				idempotencyKey: `${answer.request.id}:${to}`
			})
		)
	);
	const notified = results.filter((r) => r.status === 'fulfilled').length;
	for (const failure of results) if (failure.status === 'rejected') console.error('request-credits: emailing an operator failed:', failure.reason);
	if (notified === 0) {
		await callRpc(serviceClient(), 'release_credit_request', { request_id: answer.request.id });
		throw new HttpError(502, 'not_sent', 'Your request could not be emailed to the operators just now, so it was not recorded; try again in a few minutes.');
	}
	return jsonResponse({ request: answer.request, operators_notified: notified });
});
