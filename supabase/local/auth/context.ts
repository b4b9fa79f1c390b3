// What every part of the auth service is built from.
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import type { Mailer } from './mailer.ts';
import type { AuthLimiters } from './rate-limits.ts';

export interface AuthContext {
	config: StackConfig;
	pool: pg.Pool;
	mailer: Mailer;
	/** GoTrue's rate limits (per client address, and the email quota). */
	limiters: AuthLimiters;
	log(message: string): void;
}

/** The audience of every user and token (GoTrue's default `aud`). */
export const AUDIENCE = 'authenticated';
/** Roles allowed to call the admin endpoints (GoTrue's GOTRUE_JWT_ADMIN_ROLES default). */
export const ADMIN_ROLES = ['service_role', 'supabase_admin'];
