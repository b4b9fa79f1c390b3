-- What the worker fleet does with job files in Storage, as service-role
-- RPCs (the fleet moves the bytes through the Storage API with the service
-- role key; the database decides what may be written and records it):
--   * outputs: the folder of a job running under this worker attempt, then
--     the file's metadata once its bytes are in Storage;
--   * inputs: which file rows to read for a job, which uploads to move into
--     their job's folder, and recording that move;
--   * clean-up: objects to remove (of deleted jobs and teams, and uploads
--     never submitted once they expire);
--   * file rows written before the move to Storage: their bytes, and
--     recording that they moved.
-- Protects: a worker writes outputs only for a job it runs under the
-- current attempt, only into that job's output folder, and never over an
-- input; the fleet removes only objects no file row names; a row's bytes
-- leave the database only once Storage holds the same number of bytes.

-- The key a file named `file_name` has in its job's folder. Storage takes
-- only some ASCII characters in keys, and file names may hold anything but
-- slashes: a name that is not already a plain key becomes one, made unique
-- by a hash of the name (its extension kept). The file row keeps the real
-- name, which downloads are given.
create function private.storage_key_name(file_name text) returns text
language plpgsql immutable set search_path = ''
as $$
declare
  ext text;
  stem text;
begin
  if file_name ~ '^[A-Za-z0-9_()+,=@-][A-Za-z0-9._()+,=@-]{0,199}$' then
    return file_name;
  end if;
  ext := coalesce(substring(file_name from '(\.[A-Za-z0-9]{1,10})$'), '');
  stem := left(file_name, char_length(file_name) - char_length(ext));
  stem := ltrim(left(regexp_replace(stem, '[^A-Za-z0-9._-]+', '_', 'g'), 150), '.');
  return coalesce(nullif(stem, ''), 'file') || '-' || left(encode(sha256(convert_to(file_name, 'UTF8')), 'hex'), 8) || ext;
end;
$$;

-- Where an output file of a job running under this worker attempt goes
-- ("<team>/<job>/output/<key name>"), else null (cancelled, deleted, reaped:
-- the run should stop).
create function public.worker_output_path(worker_id uuid, job_id uuid, attempt integer, name text) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select j.team_id::text || '/' || j.id::text || '/output/' || private.storage_key_name(worker_output_path.name)
          from public.jobs j
          where j.id = worker_output_path.job_id and j.attempt = worker_output_path.attempt
            and j.status = 'processing' and j.worker_id = worker_output_path.worker_id);
end;
$$;

drop function public.worker_write_job_file(uuid, uuid, integer, text, text, bytea);

-- Records (or, from an earlier attempt, replaces) one output file whose
-- bytes the worker put where worker_output_path said. False when the job
-- is no longer running under this worker attempt.
create function public.worker_write_job_file(worker_id uuid, job_id uuid, attempt integer, name text, media_type text,
  size_bytes bigint, sha256 text, storage_path text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  job_team uuid;
begin
  select j.team_id into job_team from public.jobs j
  where j.id = worker_write_job_file.job_id and j.attempt = worker_write_job_file.attempt
    and j.status = 'processing' and j.worker_id = worker_write_job_file.worker_id
  for share;
  if not found then
    return false;
  end if;
  if worker_write_job_file.storage_path is distinct from
     job_team::text || '/' || worker_write_job_file.job_id::text || '/output/' || private.storage_key_name(worker_write_job_file.name) then
    raise exception 'output file "%" of job % is stored where worker_output_path says, not at %', worker_write_job_file.name,
      worker_write_job_file.job_id, worker_write_job_file.storage_path using errcode = '22023';
  end if;
  insert into public.job_files as f (job_id, kind, name, media_type, size_bytes, sha256, storage_path)
  values (worker_write_job_file.job_id, 'output', worker_write_job_file.name, worker_write_job_file.media_type,
    worker_write_job_file.size_bytes, worker_write_job_file.sha256, worker_write_job_file.storage_path)
  on conflict on constraint job_files_job_id_name_key do update
    set media_type = excluded.media_type, size_bytes = excluded.size_bytes, sha256 = excluded.sha256,
        storage_path = excluded.storage_path, content = null, created_at = now()
    where f.kind = 'output';
  if not found then
    raise exception 'the job already has an input file named "%"; output files need other names', worker_write_job_file.name
      using errcode = '23505';
  end if;
  return true;
end;
$$;

-- A job's input files, for the run that reads them.
create function public.worker_job_input_files(job_id uuid)
returns table (file_id uuid, team_id uuid, name text, media_type text, size_bytes bigint, sha256 text, storage_path text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select f.id, j.team_id, f.name, f.media_type, f.size_bytes, f.sha256, f.storage_path
    from public.job_files f join public.jobs j on j.id = f.job_id
    where f.job_id = worker_job_input_files.job_id and f.kind = 'input'
    order by f.name;
end;
$$;

-- Submitted uploads still in their upload folder, one row per object (the
-- job that claimed it first: its folder is where the object goes), oldest
-- first; only_job narrows it to one job's inputs.
create function public.worker_inputs_to_settle(max_files integer default 100, only_job uuid default null)
returns table (storage_path text, destination text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select distinct on (f.storage_path) f.storage_path,
      j.team_id::text || '/' || j.id::text || '/input/' || private.storage_key_name(f.name)
    from public.job_files f join public.jobs j on j.id = f.job_id
    where f.storage_path is not null and split_part(f.storage_path, '/', 2) = 'uploads'
      and (only_job is null or f.storage_path in (select x.storage_path from public.job_files x where x.job_id = only_job))
    order by f.storage_path, f.created_at, f.id
    limit max_files;
end;
$$;

-- The object at from_path now lives at to_path: every file row naming it
-- follows. to_path must be the input folder of a job whose row names it.
create function public.worker_input_settled(from_path text, to_path text) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  changed integer;
begin
  if not exists (select from public.job_files f join public.jobs j on j.id = f.job_id
                 where f.storage_path = from_path
                   and to_path = j.team_id::text || '/' || j.id::text || '/input/' || private.storage_key_name(f.name)) then
    raise exception 'no input file at % belongs at %', from_path, to_path using errcode = '22023';
  end if;
  update public.job_files f set storage_path = to_path where f.storage_path = from_path;
  get diagnostics changed = row_count;
  return changed;
end;
$$;

-- Objects of the job-files bucket to remove through the Storage API: those
-- under queued folders or at queued keys that no file row names (a queue
-- entry with nothing left is done and dropped), then (with expired_uploads,
-- which scans the bucket: the fleet asks now and then, not on every wake)
-- uploads never submitted that are older than the upload lifetime.
create function public.worker_storage_garbage(max_objects integer default 500, expired_uploads boolean default false)
returns table (name text)
language plpgsql security definer set search_path = ''
as $$
declare
  entry record;
  left_to_give integer := max_objects;
  found_names text[];
  ttl integer := (select s.upload_ttl_seconds from private.storage_settings s);
begin
  for entry in select c.key from private.storage_cleanup c order by c.queued_at, c.key limit 100 for update skip locked loop
    exit when left_to_give <= 0;
    found_names := array(
      select o.name from storage.objects o
      where o.bucket_id = 'job-files'
        and (case when right(entry.key, 1) = '/'
                  then o.name operator(pg_catalog.~>=~) entry.key
                       and o.name operator(pg_catalog.~<~) (left(entry.key, -1) || '0')
                  else o.name = entry.key end)
        and not exists (select from public.job_files f where f.storage_path = o.name)
      order by o.name
      limit left_to_give);
    if cardinality(found_names) = 0 then
      delete from private.storage_cleanup c where c.key = entry.key;
    else
      return query select unnest(found_names);
      left_to_give := left_to_give - cardinality(found_names);
    end if;
  end loop;
  if expired_uploads and left_to_give > 0 then
    return query
      select o.name from storage.objects o
      where o.bucket_id = 'job-files' and split_part(o.name, '/', 2) = 'uploads'
        and o.created_at < now() - make_interval(secs => ttl)
        and not exists (select from public.job_files f where f.storage_path = o.name)
      order by o.created_at
      limit left_to_give;
  end if;
end;
$$;

-- File rows that still hold their bytes, oldest first.
create function public.worker_legacy_job_files(max_files integer default 10)
returns table (file_id uuid, storage_path text, media_type text, content bytea)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select f.id, j.team_id::text || '/' || j.id::text || '/' || f.kind::text || '/' || private.storage_key_name(f.name),
      f.media_type, f.content
    from public.job_files f join public.jobs j on j.id = f.job_id
    where f.content is not null
    order by f.created_at, f.id
    limit max_files;
end;
$$;

-- The row's bytes are in Storage now (size_bytes of them, with this SHA-256):
-- it drops them and names the object. False when the row is gone or was
-- already moved; refused when Storage holds another number of bytes.
create function public.worker_legacy_job_file_moved(file_id uuid, storage_path text, sha256 text, size_bytes bigint) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  file public.job_files;
  expected text;
begin
  select * into file from public.job_files f where f.id = worker_legacy_job_file_moved.file_id and f.content is not null for update;
  if not found then
    return false;
  end if;
  select j.team_id::text || '/' || j.id::text || '/' || file.kind::text || '/' || private.storage_key_name(file.name) into expected
  from public.jobs j where j.id = file.job_id;
  if worker_legacy_job_file_moved.storage_path is distinct from expected then
    raise exception 'the bytes of file % belong at %, not %', file.id, expected, worker_legacy_job_file_moved.storage_path
      using errcode = '22023';
  end if;
  if worker_legacy_job_file_moved.size_bytes is distinct from octet_length(file.content) then
    raise exception 'file % has % bytes, and Storage holds %: not moved', file.id, octet_length(file.content),
      worker_legacy_job_file_moved.size_bytes using errcode = '22023';
  end if;
  update public.job_files f
  set storage_path = worker_legacy_job_file_moved.storage_path, sha256 = worker_legacy_job_file_moved.sha256,
      content = null, size_bytes = worker_legacy_job_file_moved.size_bytes
  where f.id = file.id;
  return true;
end;
$$;

revoke all on function private.storage_key_name(text) from public;
revoke all on function public.worker_output_path(uuid, uuid, integer, text),
  public.worker_write_job_file(uuid, uuid, integer, text, text, bigint, text, text),
  public.worker_job_input_files(uuid), public.worker_inputs_to_settle(integer, uuid),
  public.worker_input_settled(text, text), public.worker_storage_garbage(integer, boolean),
  public.worker_legacy_job_files(integer), public.worker_legacy_job_file_moved(uuid, text, text, bigint)
  from public, anon, authenticated;
grant execute on function public.worker_output_path(uuid, uuid, integer, text),
  public.worker_write_job_file(uuid, uuid, integer, text, text, bigint, text, text),
  public.worker_job_input_files(uuid), public.worker_inputs_to_settle(integer, uuid),
  public.worker_input_settled(text, text), public.worker_storage_garbage(integer, boolean),
  public.worker_legacy_job_files(integer), public.worker_legacy_job_file_moved(uuid, text, text, bigint)
  to service_role;
