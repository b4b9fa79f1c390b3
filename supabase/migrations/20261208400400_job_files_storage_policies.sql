-- Who reads and writes the job-files bucket, as policies on storage.objects
-- (they decide every Storage request, here and on hosted Supabase).
--   * Reading by path: members of the job's team (any role) and people the
--     job is shared with by invitation (visibility `invited`), the two who
--     can list the job, for each object a file row of such a job names.
--     People who open a job by its link (visibility `authenticated` or
--     `public`, or anyone not signed in) get nothing by path: they get each
--     file through a signed URL issued after public.job_file_locations
--     checked the job by id (the link-only rule, for files too).
--   * Writing: a member who may run jobs uploads inputs into a folder of
--     their own, "<team_id>/uploads/<their user id>/<upload id>/<name>",
--     while the team is within its storage quota, and may replace or delete
--     what is there until it is submitted. Nothing else is writable by any
--     client: outputs and submitted inputs are the worker fleet's (service
--     role), so once submit_job claims an upload nobody can change it.
-- Protects: the sharing model of DESIGN.md for files, in the database; the
-- membership checks go through the helpers that refuse tokens of ended
-- sessions. Anonymous callers match no policy, so they get nothing.

-- The team of an upload key "<team>/uploads/<caller's id>/<upload id>/<name>"
-- when the key is the caller's own, else null. Never raises (policies call it).
create function private.own_upload_team(object_name text) returns uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  parts text[] := string_to_array(object_name, '/');
  uid uuid := auth.uid();
begin
  if uid is null or object_name is null or cardinality(parts) <> 5 or parts[2] <> 'uploads' or parts[3] <> uid::text
     or parts[1] !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or parts[4] !~ '^[A-Za-z0-9_-]{1,64}$'
     or char_length(parts[5]) not between 1 and 255 or strpos(parts[5], '\') > 0 then
    return null;
  end if;
  return parts[1]::uuid;
end;
$$;

create function private.may_read_job_object(object_name text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  upload_team uuid := private.own_upload_team(object_name);
begin
  if upload_team is not null and private.team_role(upload_team) is not null then
    return true;
  end if;
  return exists (
    select from public.job_files f join public.jobs j on j.id = f.job_id
    where f.storage_path = object_name
      and (j.team_id in (select private.user_team_ids())
           or (j.visibility = 'invited' and j.id in (select private.shared_job_ids()))));
end;
$$;

-- An upload the caller may write: their own folder in a team where they may
-- run jobs, a key no file row claims yet, within the team's quota (by the
-- length the upload declares, which Storage puts in the row it checks).
create function private.may_upload_job_input(object_name text, object_metadata jsonb) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  upload_team uuid := private.own_upload_team(object_name);
  declared text := object_metadata ->> 'contentLength';
begin
  return upload_team is not null
    and private.team_role(upload_team) in ('owner', 'admin', 'member')
    and not exists (select from public.job_files f where f.storage_path = object_name)
    and private.team_storage_allows(upload_team, case when declared ~ '^[0-9]{1,15}$' then declared::bigint else 0 end);
end;
$$;

create function private.is_own_unclaimed_upload(object_name text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  upload_team uuid := private.own_upload_team(object_name);
begin
  return upload_team is not null
    and private.team_role(upload_team) is not null
    and not exists (select from public.job_files f where f.storage_path = object_name);
end;
$$;

revoke all on function private.own_upload_team(text), private.may_read_job_object(text),
  private.may_upload_job_input(text, jsonb), private.is_own_unclaimed_upload(text) from public;
grant execute on function private.own_upload_team(text), private.may_read_job_object(text),
  private.may_upload_job_input(text, jsonb), private.is_own_unclaimed_upload(text) to authenticated, service_role;

create policy "Team members and invitees can read their jobs' files" on storage.objects
  for select to authenticated
  using (bucket_id = 'job-files' and private.may_read_job_object(name));

create policy "Members can upload job inputs into their own folder" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'job-files' and private.may_upload_job_input(name, metadata));

create policy "Members can replace their own unsubmitted uploads" on storage.objects
  for update to authenticated
  using (bucket_id = 'job-files' and private.is_own_unclaimed_upload(name))
  with check (bucket_id = 'job-files' and private.may_upload_job_input(name, metadata));

create policy "Members can delete their own unsubmitted uploads" on storage.objects
  for delete to authenticated
  using (bucket_id = 'job-files' and private.is_own_unclaimed_upload(name));
