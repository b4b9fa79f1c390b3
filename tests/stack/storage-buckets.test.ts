// Buckets through the real supabase-js: create, get, list (search, sort,
// paging), update, empty, delete, with Storage's errors; RLS on
// storage.buckets (only the service role manages buckets unless a policy
// allows more); and the buckets of config.toml kept in line at start.
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseSize } from '../../supabase/local/config.ts';
import { StorageDatabase } from '../../supabase/local/storage/database.ts';
import { syncConfigBuckets } from '../../supabase/local/storage/buckets.ts';
import { adminPool, anonClient, serviceClient } from '../helpers/stack.ts';
import { bucketName, testUser } from '../helpers/storage.ts';

let admin: pg.Pool;
const made: string[] = [];

beforeAll(() => {
	admin = adminPool();
});

afterAll(async () => {
	const storage = serviceClient().storage;
	for (const id of made) {
		await storage.emptyBucket(id);
		await storage.deleteBucket(id);
	}
	await admin.end();
});

function fresh(prefix = 'bk'): string {
	const id = bucketName(prefix);
	made.push(id);
	return id;
}

describe('bucket CRUD (service role)', () => {
	it('creates, reads, updates and deletes a bucket', async () => {
		const storage = serviceClient().storage;
		const id = fresh();
		expect(await storage.createBucket(id, { public: false, fileSizeLimit: '2MB', allowedMimeTypes: ['text/*', 'chemical/x-pdb'] })).toEqual({ data: { name: id }, error: null });
		const got = await storage.getBucket(id);
		expect(got.data).toMatchObject({ id, name: id, public: false, file_size_limit: 2_000_000, allowed_mime_types: ['text/*', 'chemical/x-pdb'], owner: null });
		expect(got.data!.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);

		expect((await storage.updateBucket(id, { public: true, fileSizeLimit: 1024, allowedMimeTypes: ['image/png'] })).data).toEqual({ message: 'Successfully updated' });
		expect((await storage.getBucket(id)).data).toMatchObject({ public: true, file_size_limit: 1024, allowed_mime_types: ['image/png'] });

		expect((await storage.createBucket(id)).error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });

		await storage.from(id).upload('a.png', 'png-ish', { contentType: 'image/png' });
		expect((await storage.deleteBucket(id)).error).toMatchObject({ statusCode: '409', message: 'The bucket you tried to delete is not empty' });
		expect((await storage.emptyBucket(id)).error).toBeNull();
		expect((await storage.from(id).list()).data).toEqual([]);
		expect((await storage.deleteBucket(id)).data).toEqual({ message: 'Successfully deleted' });
		expect((await storage.getBucket(id)).error).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
		expect((await storage.deleteBucket(id)).error).toMatchObject({ statusCode: '404' });
	});

	it('lists buckets with search, sort and paging', async () => {
		const storage = serviceClient().storage;
		const tag = randomUUID().slice(0, 6);
		const ids = [`list-${tag}-b`, `list-${tag}-a`, `list-${tag}-c`];
		for (const id of ids) {
			made.push(id);
			await storage.createBucket(id);
		}
		const { data } = await storage.listBuckets({ search: `list-${tag}`, sortColumn: 'name', sortOrder: 'desc' });
		expect(data!.map((b) => b.name)).toEqual([`list-${tag}-c`, `list-${tag}-b`, `list-${tag}-a`]);
		const page = await storage.listBuckets({ search: `list-${tag}`, sortColumn: 'name', limit: 1, offset: 1 });
		expect(page.data!.map((b) => b.name)).toEqual([`list-${tag}-b`]);
	});

	it('refuses bad names, limits above the global one and malformed media types', async () => {
		const storage = serviceClient().storage;
		expect((await storage.createBucket('bad/name')).error).toMatchObject({ statusCode: '400' });
		expect((await storage.createBucket(' padded')).error).toMatchObject({ statusCode: '400' });
		expect((await storage.createBucket('x'.repeat(101))).error).toMatchObject({ statusCode: '400' });
		expect((await storage.createBucket(fresh(), { public: false, fileSizeLimit: '1gb' })).error).toMatchObject({ statusCode: '413' });
		expect((await storage.createBucket(fresh(), { public: false, fileSizeLimit: 'lots' })).error).toMatchObject({ statusCode: '400' });
		expect((await storage.createBucket(fresh(), { public: false, allowedMimeTypes: ['not a type'] })).error).toMatchObject({ statusCode: '400' });
	});
});

describe('who may manage buckets', () => {
	it('refuses signed-in and anonymous callers without a policy (RLS on storage.buckets)', async () => {
		const user = testUser();
		const id = fresh();
		expect((await user.client.storage.createBucket(id)).error).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });
		expect((await anonClient().storage.createBucket(id)).error).toMatchObject({ statusCode: '403' });
		await serviceClient().storage.createBucket(id);
		// Invisible without a select policy: listed as nothing, got as not found, not changed, not deleted.
		expect((await user.client.storage.listBuckets()).data!.map((b) => b.id)).not.toContain(id);
		expect((await user.client.storage.getBucket(id)).error).toMatchObject({ statusCode: '404' });
		expect((await user.client.storage.updateBucket(id, { public: true })).error).toMatchObject({ statusCode: '404' });
		expect((await user.client.storage.deleteBucket(id)).error).toMatchObject({ statusCode: '404' });
		expect((await serviceClient().storage.getBucket(id)).data).toMatchObject({ public: false });
		// Emptying is the service role's alone, whatever the policies say (a real 403).
		const emptied = await user.client.storage.emptyBucket(id);
		expect(emptied.error).toMatchObject({ status: 403, message: 'Access denied: Invalid role' });
	});

	it('lets a policy grant bucket creation, and records the creator as owner', async () => {
		const user = testUser();
		const id = fresh('owned');
		await admin.query(`create policy "bk test: ${id}" on storage.buckets for insert to authenticated with check (id = '${id}')`);
		try {
			expect((await user.client.storage.createBucket(id)).error).toBeNull();
			const { rows } = await admin.query('select owner::text, owner_id from storage.buckets where id = $1', [id]);
			expect(rows[0]).toEqual({ owner: user.id, owner_id: user.id });
		} finally {
			await admin.query(`drop policy "bk test: ${id}" on storage.buckets`);
		}
	});
});

describe('buckets from config.toml', () => {
	it('reads [storage] and [storage.buckets.*] and creates or updates those buckets at start', async () => {
		expect(loadConfig().storage.fileSizeLimit).toBe(50 * 1024 * 1024);
		expect([parseSize('50MiB', 'x'), parseSize('5MB', 'x'), parseSize('1024', 'x'), parseSize('1.5KiB', 'x')]).toEqual([52_428_800, 5_000_000, 1024, 1536]);
		expect(() => parseSize('lots', 'config.toml [storage] file_size_limit')).toThrow(/cannot read the size "lots"/);

		const id = fresh('cfg');
		const db = new StorageDatabase(admin, admin, new Map());
		await syncConfigBuckets(db, [{ id, public: true, fileSizeLimit: 5_000_000, allowedMimeTypes: ['text/plain'] }]);
		expect((await serviceClient().storage.getBucket(id)).data).toMatchObject({ public: true, file_size_limit: 5_000_000, allowed_mime_types: ['text/plain'] });
		// A later start with a changed config.toml brings the bucket in line.
		await syncConfigBuckets(db, [{ id, public: false, fileSizeLimit: null, allowedMimeTypes: null }]);
		expect((await serviceClient().storage.getBucket(id)).data).toMatchObject({ public: false, file_size_limit: null, allowed_mime_types: null });
	});
});
