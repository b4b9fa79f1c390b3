-- Opening a job's files by id now that their bytes are in Storage:
-- public.job_file_locations replaces public.get_job_file (which returned the
-- bytes from the row). It answers where each file's bytes are, for the files
-- of jobs the caller may open (private.job_access: the job's team, and
-- whoever the job is shared with, by link or by invitation); whoever issues
-- signed URLs (the job-file-urls edge function, with the service role)
-- signs exactly those paths and nothing else.
-- Protects: the link-only rule for files. The bucket is never readable or
-- listable by path outside the team (the storage.objects policies of
-- 20261208400400); people who open a job by its link get each of its files
-- only through this check by id, and unknown ids, files of jobs the caller
-- may not open and files not yet in Storage get the same answer (no row).

drop function public.get_job_file(uuid);

create function public.job_file_locations(file_ids uuid[])
returns table (id uuid, job_id uuid, name text, kind public.job_file_kind, media_type text, size_bytes bigint,
  sha256 text, storage_path text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if file_ids is null or cardinality(file_ids) > 100 then
    raise exception 'give from 1 to 100 file ids at a time' using errcode = '22023';
  end if;
  return query
    select f.id, f.job_id, f.name, f.kind, f.media_type, f.size_bytes, f.sha256, f.storage_path
    from public.job_files f
    where f.id = any (job_file_locations.file_ids) and f.storage_path is not null
      and private.job_access(f.job_id) is not null
    order by f.kind, f.name;
end;
$$;

revoke all on function public.job_file_locations(uuid[]) from public;
-- Anonymous visitors open a public job's files by its link.
grant execute on function public.job_file_locations(uuid[]) to anon, authenticated, service_role;

-- A file's metadata as get_job and the job's topic give it: now with its
-- checksum, and whether its bytes can be fetched yet (false only for rows
-- written before the move to Storage, until the fleet moves them).
create or replace function private.job_file_json(p_file_id uuid) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select jsonb_build_object('id', f.id, 'name', f.name, 'kind', f.kind, 'media_type', f.media_type,
                                    'size_bytes', f.size_bytes, 'sha256', f.sha256, 'stored', f.storage_path is not null,
                                    'created_at', f.created_at)
          from public.job_files f where f.id = p_file_id);
end;
$$;
