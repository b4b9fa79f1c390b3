// How much Storage the team's files take against its quota (public.team_storage_use:
// members only), as the team page shows it.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

export const storageUseSchema = z.object({
	used_bytes: z.coerce.number(),
	quota_bytes: z.coerce.number(),
	job_file_bytes: z.coerce.number(),
	upload_bytes: z.coerce.number(),
	objects: z.coerce.number()
});

export interface StorageUse {
	usedBytes: number;
	quotaBytes: number;
	/** Inputs and outputs of the team's jobs. */
	jobFileBytes: number;
	/** Uploads not submitted (yet): they expire after a day. */
	uploadBytes: number;
	files: number;
	/** 0 to 100, for the meter. */
	percent: number;
}

export async function loadStorageUse(supabase: SupabaseClient, teamId: string): Promise<StorageUse> {
	const { data, error } = await supabase.rpc('team_storage_use', { team_id: teamId });
	if (error) throw new Error(`Could not load the team's storage use: ${error.message}`);
	const use = storageUseSchema.parse(data);
	return {
		usedBytes: use.used_bytes,
		quotaBytes: use.quota_bytes,
		jobFileBytes: use.job_file_bytes,
		uploadBytes: use.upload_bytes,
		files: use.objects,
		percent: use.quota_bytes > 0 ? Math.min(100, (use.used_bytes / use.quota_bytes) * 100) : 100
	};
}
