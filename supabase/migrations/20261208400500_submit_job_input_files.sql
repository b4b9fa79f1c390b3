-- Large job inputs (a structure file, a long sequence) travel as files: the
-- browser uploads each into the caller's own upload folder of the job-files
-- bucket, puts {"$file": "<name>"} where the text would be in the input, and
-- submits the list of files ({name, path, sha256}) with the job. submit_job
-- claims those uploads for the job in the transaction that creates it,
-- recording each file's name, media type, size (as Storage recorded it) and
-- the SHA-256 the submitter computed; the worker fleet then moves each into
-- the job's folder ("<team>/<job>/input/<name>", service role only) and
-- checks the bytes against that SHA-256 whenever it reads them.
-- Protects: a job's inputs are the submitter's own uploads in the team the
-- job runs in (never another member's or another team's, never a path
-- elsewhere in the bucket), each claimed by one job only; once claimed
-- nobody can change or delete them (the upload policies of 20261208400400
-- refuse a claimed key); the input's size limit counts the files too; and
-- every reference in the input names a listed file and every listed file
-- is referenced. Retrying or duplicating a job gives the new job the same
-- input files (the same objects; the fleet removes an object only once no
-- file row names it).

-- Every object of the input with a "$file" key, however deep.
create function private.input_file_refs(input jsonb) returns setof jsonb
language sql immutable set search_path = ''
as $$
  with recursive walk(v) as (
    select input
    union all
    select e.value
    from walk w
    cross join lateral (
      select o.value from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(w.v) = 'object' then w.v else '{}'::jsonb end) o
      union all
      select a.value from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(w.v) = 'array' then w.v else '[]'::jsonb end) a
    ) e
  )
  select v from walk where pg_catalog.jsonb_typeof(v) = 'object' and v ? '$file'
$$;

-- Checks the files of a submission and what the input says of them, locks
-- each upload, and returns what to record: [{name, media_type, size_bytes,
-- sha256, path}].
create function private.claim_input_uploads(p_team_id uuid, p_uid uuid, p_tool public.tools, p_input jsonb, p_files jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  file jsonb;
  idx integer := 0;
  file_name text;
  file_path text;
  parts text[];
  object_metadata jsonb;
  object_found boolean;
  size bigint;
  media text;
  names text[] := '{}';
  refs text[];
  missing text;
  total bigint := octet_length(p_input::text);
  claimed jsonb := '[]';
begin
  if p_files is null or jsonb_typeof(p_files) <> 'array' then
    raise exception 'files must be a JSON array of {name, path, sha256}' using errcode = '22023';
  end if;
  if jsonb_array_length(p_files) > 50 then
    raise exception 'a job takes at most 50 input files; this one lists %', jsonb_array_length(p_files) using errcode = '22023';
  end if;
  if exists (select from private.input_file_refs(p_input) r
             where (select count(*) from jsonb_object_keys(r)) <> 1 or jsonb_typeof(r -> '$file') <> 'string') then
    raise exception 'a file reference in the input is {"$file": "<name of one of the files>"} and nothing else'
      using errcode = '22023';
  end if;
  refs := array(select distinct r ->> '$file' from private.input_file_refs(p_input) r);

  for file in select value from jsonb_array_elements(p_files) loop
    if jsonb_typeof(file) <> 'object' or (file - array['name', 'path', 'sha256']) <> '{}'::jsonb
       or jsonb_typeof(file -> 'name') is distinct from 'string' or jsonb_typeof(file -> 'path') is distinct from 'string'
       or jsonb_typeof(file -> 'sha256') is distinct from 'string' then
      raise exception 'files[%] must be {"name", "path", "sha256"}, all strings', idx using errcode = '22023';
    end if;
    file_name := file ->> 'name';
    file_path := file ->> 'path';
    if char_length(file_name) not between 1 and 255 or file_name ~ '[/\\[:cntrl:]]' or file_name in ('.', '..') then
      raise exception 'files[%].name "%" is not a file name (1 to 255 characters, no / or \)', idx, left(file_name, 300)
        using errcode = '22023';
    end if;
    if file_name = any (names) then
      raise exception 'files[%]: two files are named "%"', idx, file_name using errcode = '22023';
    end if;
    if (file ->> 'sha256') !~ '^[0-9a-f]{64}$' then
      raise exception 'files[%].sha256 must be the SHA-256 of the file in lowercase hex (64 characters)', idx using errcode = '22023';
    end if;
    parts := string_to_array(file_path, '/');
    if cardinality(parts) <> 5 or parts[1] <> p_team_id::text or parts[2] <> 'uploads' or parts[3] <> p_uid::text
       or parts[4] !~ '^[A-Za-z0-9_-]{1,64}$' or parts[5] = '' then
      raise exception 'files[%].path must be one of your own uploads for this team: %/uploads/%/<upload id>/<file name>',
        idx, p_team_id, p_uid using errcode = '42501';
    end if;
    -- One submission at a time claims an upload.
    perform pg_advisory_xact_lock(hashtextextended('foldwork.job-files:' || file_path, 0));
    select true, o.metadata into object_found, object_metadata
    from storage.objects o where o.bucket_id = 'job-files' and o.name = file_path;
    if object_found is null or object_metadata is null or object_metadata ->> 'size' is null then
      raise exception 'files[%]: there is no upload at %; upload the file first', idx, file_path using errcode = '22023';
    end if;
    if exists (select from public.job_files f where f.storage_path = file_path) then
      raise exception 'files[%]: the upload at % was already submitted with another job; upload the file again', idx, file_path
        using errcode = '22023';
    end if;
    size := (object_metadata ->> 'size')::bigint;
    media := lower(btrim(split_part(coalesce(object_metadata ->> 'mimetype', ''), ';', 1)));
    if media !~ '^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$' then
      media := 'application/octet-stream';
    end if;
    total := total + size;
    names := names || file_name;
    claimed := claimed || jsonb_build_object('name', file_name, 'media_type', media, 'size_bytes', size,
      'sha256', file ->> 'sha256', 'path', file_path);
    object_found := null;
    idx := idx + 1;
  end loop;

  select r into missing from unnest(refs) r where r <> all (names) limit 1;
  if found then
    raise exception 'the input refers to the file "%", which files does not list', missing using errcode = '22023';
  end if;
  select n into missing from unnest(names) n where n <> all (refs) limit 1;
  if found then
    raise exception 'files lists "%", which the input does not refer to (put {"$file": "%"} where its text belongs)', missing, missing
      using errcode = '22023';
  end if;
  -- Without files, create_job checks the input's size alone (and says so).
  if idx > 0 and total > p_tool.max_input_bytes then
    raise exception 'input is too large: % with its files, and % accepts at most % (max_input_bytes %)',
      private.mib(total), p_tool.name, private.mib(p_tool.max_input_bytes), p_tool.max_input_bytes
      using errcode = '22023';
  end if;
  return claimed;
end;
$$;

drop function public.submit_job(text, text, jsonb, jsonb, uuid);

create function public.submit_job(tool_id text, name text, input jsonb, settings jsonb default '{}', team_id uuid default null,
  files jsonb default '[]')
returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('submit');
  target_team uuid := private.resolve_team(submit_job.team_id, uid);
  tool public.tools;
  claimed jsonb;
  job public.jobs;
begin
  perform private.require_team_runner(target_team, uid);
  tool := private.require_tool(submit_job.tool_id);
  claimed := private.claim_input_uploads(target_team, uid, tool, submit_job.input, coalesce(submit_job.files, '[]'));
  job := private.create_job(target_team, uid, tool, private.check_job_name(submit_job.name, tool.name),
    submit_job.input, submit_job.settings, null, null, 'Submitted');
  if jsonb_array_length(claimed) > 0 then
    insert into public.job_files (job_id, kind, name, media_type, size_bytes, sha256, storage_path)
    select job.id, 'input', c.name, c.media_type, c.size_bytes, c.sha256, c.path
    from jsonb_to_recordset(claimed) as c(name text, media_type text, size_bytes bigint, sha256 text, path text);
    -- The fleet moves the uploads into the job's folder.
    perform pg_notify('foldwork_storage', job.id::text);
  end if;
  return job;
end;
$$;

revoke all on function public.submit_job(text, text, jsonb, jsonb, uuid, jsonb) from public, anon;
grant execute on function public.submit_job(text, text, jsonb, jsonb, uuid, jsonb) to authenticated, service_role;
revoke all on function private.input_file_refs(jsonb), private.claim_input_uploads(uuid, uuid, public.tools, jsonb, jsonb) from public;

-- A retry or a duplicate runs on the same input, files included.
create function private.copy_job_input_files() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.job_files (job_id, kind, name, media_type, size_bytes, sha256, storage_path, content)
  select new.id, 'input', f.name, f.media_type, f.size_bytes, f.sha256, f.storage_path, f.content
  from public.job_files f
  where f.job_id = coalesce(new.retry_of, new.duplicated_from) and f.kind = 'input';
  return null;
end;
$$;

create trigger copy_job_input_files
  after insert on public.jobs
  for each row when (new.retry_of is not null or new.duplicated_from is not null)
  execute function private.copy_job_input_files();

revoke all on function private.copy_job_input_files() from public;
