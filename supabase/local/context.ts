// What every service of the local stack is built from.
import type pg from 'pg';
import type { StackConfig } from './config.ts';
import type { Service } from './gateway.ts';

export interface StackContext {
	config: StackConfig;
	/** Superuser pool on the project database (what GoTrue and the CLI use). */
	adminPool: pg.Pool;
	/** Connection string of the `authenticator` role (what PostgREST and Realtime log in as). */
	authenticatorUrl: string;
	log(service: string, message: string): void;
}

/** A gateway service that holds resources (pools, timers, listeners). */
export interface StackService extends Service {
	close(): Promise<void>;
}
