// One request as the auth routes see it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';
import type { AuthContext } from './context.ts';
import { referrer } from './redirects.ts';
import { identitiesOf, type Queryable, type UserRecord, type Json } from './users.ts';
import { userJson } from './serialize.ts';
import { factorJson, factorsOf } from './mfa.ts';

export interface AuthRequest {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	/** Bearer token after the gateway's key mapping. */
	token: string | null;
	/** The client's address as the gateway trusts it: the key of the rate limits. */
	clientAddress: string;
}

export type Handler = (ctx: AuthContext, request: AuthRequest) => Promise<void>;

export function reply(request: AuthRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
	sendJson(request.res, status, body, headers);
}

/** Where this request's emails and redirects lead (redirect_to when allowed, else the site URL). */
export function redirectTarget(ctx: AuthContext, request: AuthRequest, bodyRedirect?: string): string {
	return referrer(ctx.config, request.req, request.url, bodyRedirect);
}

export async function userResponse(db: Queryable, user: UserRecord): Promise<Json> {
	return userJson(user, await identitiesOf(db, user.id), (await factorsOf(db, user.id)).map(factorJson));
}
