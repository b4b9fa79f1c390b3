// RLS on storage.objects decides who does what, as on hosted Supabase: with
// per-user folder policies (the kind a hosted project writes) on a private
// and a public bucket, the owner may do everything in their folder, another
// signed-in user and an anonymous visitor nothing, through every route:
// upload, upsert, download, info, list, signed URLs, move, copy, remove,
// resumable uploads. Public buckets are readable by anyone, but never
// writable by the public.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient, serviceClient } from '../helpers/stack.ts';
import { bucketName, createBuckets, ownFolderPolicies, testUser, type TestUser } from '../helpers/storage.ts';

const PRIVATE = bucketName('rls-private');
const PUBLIC = bucketName('rls-public');
let admin: pg.Pool;
let cleanup: () => Promise<void>;
const drops: Array<() => Promise<void>> = [];
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
	admin = adminPool();
	cleanup = await createBuckets([{ id: PRIVATE }, { id: PUBLIC, public: true }]);
	drops.push(await ownFolderPolicies(admin, PRIVATE), await ownFolderPolicies(admin, PUBLIC));
	alice = testUser();
	bob = testUser();
});

afterAll(async () => {
	for (const drop of drops) await drop();
	await cleanup();
	await admin.end();
});

async function rowCount(bucket: string, name: string): Promise<number> {
	const { rows } = await admin.query('select count(*)::int as n from storage.objects where bucket_id = $1 and name = $2', [bucket, name]);
	return rows[0].n;
}

async function bytesOf(bucket: string, name: string): Promise<string> {
	const { data, error } = await serviceClient().storage.from(bucket).download(name);
	if (error) throw error;
	return data!.text();
}

for (const [label, bucket] of [['private', PRIVATE], ['public', PUBLIC]] as const) {
	describe(`${label} bucket`, () => {
		it('lets the owner upload, read, list, sign, change, move, copy and remove in their folder', async () => {
			const files = alice.client.storage.from(bucket);
			const key = `${alice.id}/results/table.csv`;
			expect((await files.upload(key, 'a,b\n')).error).toBeNull();
			expect(await (await files.download(key)).data!.text()).toBe('a,b\n');
			expect((await files.info(key)).data).toMatchObject({ size: 4 });
			expect((await files.list(`${alice.id}/results`)).data!.map((f) => f.name)).toEqual(['table.csv']);
			expect((await files.createSignedUrl(key, 60)).error).toBeNull();
			expect((await files.upload(key, 'c,d\n', { upsert: true })).error).toBeNull();
			expect((await files.copy(key, `${alice.id}/results/copy.csv`)).error).toBeNull();
			expect((await files.move(`${alice.id}/results/copy.csv`, `${alice.id}/moved.csv`)).error).toBeNull();
			expect((await files.createSignedUploadUrl(`${alice.id}/later.csv`)).error).toBeNull();
			expect((await files.remove([`${alice.id}/moved.csv`])).data!.map((f) => f.name)).toEqual([`${alice.id}/moved.csv`]);
			expect(await rowCount(bucket, `${alice.id}/moved.csv`)).toBe(0);
		});

		it("refuses another signed-in user everything in the owner's folder", async () => {
			const key = `${alice.id}/secret.txt`;
			await alice.client.storage.from(bucket).upload(key, 'alice only');
			const files = bob.client.storage.from(bucket);

			expect((await files.upload(`${alice.id}/planted.txt`, 'bob was here')).error).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });
			expect(await rowCount(bucket, `${alice.id}/planted.txt`)).toBe(0);
			expect((await files.upload(key, 'overwritten', { upsert: true })).error).toMatchObject({ statusCode: '403' });
			expect((await files.update(key, 'overwritten')).error).toMatchObject({ statusCode: '403' });
			expect((await files.createSignedUploadUrl(`${alice.id}/planted.txt`)).error).toMatchObject({ statusCode: '403' });
			expect((await files.createSignedUploadUrl(key, { upsert: true })).error).toMatchObject({ statusCode: '403' });
			expect((await files.move(key, `${bob.id}/stolen.txt`)).error).toMatchObject({ statusCode: '404' });
			expect((await files.copy(key, `${bob.id}/stolen.txt`)).error).toMatchObject({ statusCode: '404' });
			expect((await files.remove([key])).data).toEqual([]);
			expect((await files.list(alice.id)).data).toEqual([]);
			expect((await files.createSignedUrl(key, 60)).error).toMatchObject({ statusCode: '404' });
			expect((await files.createSignedUrls([key], 60)).data![0]).toMatchObject({ signedURL: null, error: 'Either the object does not exist or you do not have access to it' });
			// Even into their own folder, bob cannot move alice's file or copy it out.
			expect(await rowCount(bucket, `${bob.id}/stolen.txt`)).toBe(0);
			expect(await bytesOf(bucket, key)).toBe('alice only');

			if (bucket === PRIVATE) {
				expect((await files.download(key)).error).not.toBeNull();
				expect((await files.info(key)).error).toMatchObject({ statusCode: '404' });
			} else {
				// A public bucket is readable by anyone who knows the path, as on Supabase.
				expect(await (await files.download(key)).data!.text()).toBe('alice only');
			}
		});

		it('refuses an anonymous visitor every write, and private reads', async () => {
			const key = `${alice.id}/for-anon.txt`;
			await alice.client.storage.from(bucket).upload(key, 'not for anon');
			const files = anonClient().storage.from(bucket);
			expect((await files.upload(`${alice.id}/anon.txt`, 'x')).error).toMatchObject({ statusCode: '403' });
			expect((await files.upload(key, 'x', { upsert: true })).error).toMatchObject({ statusCode: '403' });
			expect((await files.remove([key])).data).toEqual([]);
			expect((await files.move(key, `${alice.id}/moved-by-anon.txt`)).error).toMatchObject({ statusCode: '404' });
			expect((await files.list(alice.id)).data).toEqual([]);
			expect((await files.createSignedUrl(key, 60)).error).toMatchObject({ statusCode: '404' });
			expect(await bytesOf(bucket, key)).toBe('not for anon');
			const publicUrl = files.getPublicUrl(key).data.publicUrl;
			if (bucket === PRIVATE) {
				expect((await files.download(key)).error).not.toBeNull();
				const res = await fetch(publicUrl);
				expect([res.status, (await res.json()).statusCode]).toEqual([400, '404']);
			} else {
				expect(await (await fetch(publicUrl)).text()).toBe('not for anon');
			}
		});
	});
}

describe('what RLS sees', () => {
	it('runs as the caller with their claims: policies can use auth.uid(), auth.jwt() and storage.operation()', async () => {
		const bucket = bucketName('rls-claims');
		const drop = await createBuckets([{ id: bucket }]);
		const tag = bucket.replaceAll('-', '_');
		await admin.query(`
			create policy "${tag}: lab members upload" on storage.objects for insert to authenticated
				with check (bucket_id = '${bucket}' and (select auth.jwt()) -> 'app_metadata' ->> 'lab' = (storage.foldername(name))[1]
				            and storage.extension(name) = 'pdb' and storage.operation() = 'storage.object.upload');
		`);
		try {
			const member = testUser();
			const { tokenClient, userToken } = await import('../helpers/rest.ts');
			const labMember = tokenClient(userToken(member.id, { app_metadata: { lab: 'lab-7' } }));
			expect((await labMember.storage.from(bucket).upload('lab-7/1abc.pdb', 'ATOM')).error).toBeNull();
			expect((await labMember.storage.from(bucket).upload('lab-7/1abc.txt', 'ATOM')).error).toMatchObject({ statusCode: '403' });
			expect((await labMember.storage.from(bucket).upload('lab-8/1abc.pdb', 'ATOM')).error).toMatchObject({ statusCode: '403' });
			// PUT is an update, not an upload: this policy does not cover it.
			expect((await labMember.storage.from(bucket).update('lab-7/2abc.pdb', 'ATOM')).error).toMatchObject({ statusCode: '403' });
			const { rows } = await admin.query('select owner::text, owner_id from storage.objects where bucket_id = $1', [bucket]);
			expect(rows).toEqual([{ owner: member.id, owner_id: member.id }]);
		} finally {
			await admin.query(`drop policy "${tag}: lab members upload" on storage.objects`);
			await drop();
		}
	});

	it('takes policies keyed on another table through a security definer function (the shape of job files)', async () => {
		// Objects at "<team>/<job>/...": members of the job's team read them; anyone else,
		// even holding the job's id, gets them only through a signed URL that a
		// service-role issuer hands out after checking the job.
		const bucket = bucketName('rls-jobs');
		const drop = await createBuckets([{ id: bucket }]);
		const tag = bucket.replaceAll('-', '_');
		const member = testUser();
		const outsider = testUser();
		const team = crypto.randomUUID();
		const job = crypto.randomUUID();
		await admin.query(`
			create table public.${tag}_members (team_id uuid, user_id uuid);
			insert into public.${tag}_members values ('${team}', '${member.id}');
			create function public.${tag}_is_member(team text) returns boolean language sql stable security definer set search_path = '' as $$
				select exists (select 1 from public.${tag}_members m where m.team_id::text = team and m.user_id = (select auth.uid()))
			$$;
			grant execute on function public.${tag}_is_member(text) to anon, authenticated;
			create policy "${tag}: team members read their jobs' files" on storage.objects for select to authenticated
				using (bucket_id = '${bucket}' and public.${tag}_is_member((storage.foldername(name))[1]));
		`);
		try {
			const key = `${team}/${job}/output/result.pdb`;
			await serviceClient().storage.from(bucket).upload(key, 'ATOM 1');
			const got = await member.client.storage.from(bucket).download(key);
			expect(got.error).toBeNull();
			expect(await got.data!.text()).toBe('ATOM 1');
			expect((await member.client.storage.from(bucket).list(`${team}/${job}/output`)).data!.map((f) => f.name)).toEqual(['result.pdb']);
			for (const visitor of [outsider.client, anonClient()]) {
				expect((await visitor.storage.from(bucket).download(key)).error).not.toBeNull();
				expect((await visitor.storage.from(bucket).list(`${team}/${job}/output`)).data).toEqual([]);
				expect((await visitor.storage.from(bucket).createSignedUrl(key, 60)).error).toMatchObject({ statusCode: '404' });
			}
			const issued = await serviceClient().storage.from(bucket).createSignedUrl(key, 60);
			expect(await (await fetch(issued.data!.signedUrl)).text()).toBe('ATOM 1');
		} finally {
			await admin.query(`drop policy "${tag}: team members read their jobs' files" on storage.objects;
				drop function public.${tag}_is_member(text); drop table public.${tag}_members;`);
			await drop();
		}
	});

	it('refuses raw SQL deletes of storage.objects (they would orphan files), as hosted Supabase does', async () => {
		await expect(admin.query('delete from storage.objects where false')).rejects.toThrow(/Direct deletion from storage tables is not allowed/);
	});
});
