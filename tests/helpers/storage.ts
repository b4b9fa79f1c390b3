// Helpers for the Storage tests: buckets and policies made by each test file
// for itself (named uniquely, so files running side by side never share
// them), users as signed access tokens, and raw requests to /storage/v1.
import type { SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import { serviceClient, stackInfo } from './stack.ts';
import { tokenClient, userToken } from './rest.ts';

export interface TestUser {
	id: string;
	token: string;
	client: SupabaseClient;
}

export function testUser(): TestUser {
	const id = randomUUID();
	const token = userToken(id);
	return { id, token, client: tokenClient(token) };
}

/** A bucket id unique to this run (letters, digits and dashes). */
export function bucketName(prefix: string): string {
	return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates buckets through the API as the service role; returns a function that empties and deletes them. */
export async function createBuckets(buckets: Array<{ id: string; public?: boolean; fileSizeLimit?: number | string; allowedMimeTypes?: string[] }>): Promise<() => Promise<void>> {
	const admin = serviceClient();
	for (const b of buckets) {
		const { error } = await admin.storage.createBucket(b.id, { public: b.public ?? false, fileSizeLimit: b.fileSizeLimit, allowedMimeTypes: b.allowedMimeTypes });
		if (error) throw error;
	}
	return async () => {
		for (const b of buckets) {
			await admin.storage.emptyBucket(b.id);
			await admin.storage.deleteBucket(b.id);
		}
	};
}

/**
 * The policies a hosted project would write for per-user folders: a
 * signed-in user reads, writes, changes and deletes objects under
 * "<their id>/" in `bucket`, and nothing else. Returns a function that
 * drops them.
 */
export async function ownFolderPolicies(admin: pg.Pool, bucket: string): Promise<() => Promise<void>> {
	const tag = bucket.replaceAll('-', '_');
	const own = `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;
	await admin.query(`
		create policy "${tag}: users read their folder" on storage.objects for select to authenticated using (${own});
		create policy "${tag}: users upload into their folder" on storage.objects for insert to authenticated with check (${own});
		create policy "${tag}: users change their files" on storage.objects for update to authenticated using (${own}) with check (${own});
		create policy "${tag}: users delete their files" on storage.objects for delete to authenticated using (${own});
	`);
	return async () => {
		for (const what of ['users read their folder', 'users upload into their folder', 'users change their files', 'users delete their files']) {
			await admin.query(`drop policy if exists "${tag}: ${what}" on storage.objects`);
		}
	};
}

export function storageUrl(path: string): string {
	return `${stackInfo().apiUrl}/storage/v1${path}`;
}

export interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/**
 * A request with the path sent exactly as written (fetch and URL would
 * resolve "..", which is what an attacker's own client does not do).
 */
export function rawRequest(method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawResponse> {
	const url = new URL(stackInfo().apiUrl);
	return new Promise((resolve, reject) => {
		const req = http.request({ host: url.hostname, port: url.port, method, path, headers: { apikey: stackInfo().anonKey, ...options.headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(options.body);
	});
}

/** The Storage error body of a response ({ statusCode, code, error, message }). */
export function errorBody(res: RawResponse): { statusCode: string; code: string; error: string; message: string } {
	return JSON.parse(res.body.toString('utf8'));
}
