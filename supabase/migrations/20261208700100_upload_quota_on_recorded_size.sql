-- The team's storage quota, checked again when Storage records an upload with
-- the size it received, one upload of a team at a time.
-- The upload policy of 20261208400400 can only weigh the length an upload
-- declares before its bytes arrive: a chunked upload declares none (it
-- counted as 0 bytes, so a team at its quota could still upload files as
-- large as the bucket takes, one after another), and uploads that start at
-- once each saw the same use (ten uploads that each fit alone all landed).
-- This trigger runs on the row Storage writes once the bytes are in (its
-- metadata has their "size"; the policy's trial insert has none, so it is
-- left to the policy), takes a lock per team so a team's uploads are counted
-- one at a time, and refuses the write when the team's use without the
-- object being replaced, plus the new size, is over its quota; Storage then
-- drops the bytes and answers 403 with the message.
-- Protects: the quota of each team's uploads (`<team>/uploads/...`), for
-- every client write however it is sent. The worker fleet's writes (job
-- folders, and moving uploads out of the uploads folder) are not uploads
-- and are not limited here.

create function private.check_upload_quota() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  parts text[] := string_to_array(new.name, '/');
  team uuid;
  size bigint;
  used bigint;
  replaced bigint;
begin
  if new.bucket_id <> 'job-files' or cardinality(parts) <> 5 or parts[2] <> 'uploads'
     or parts[1] !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or new.metadata is null or (new.metadata ->> 'size') !~ '^[0-9]{1,18}$' then
    return new;
  end if;
  team := parts[1]::uuid;
  size := (new.metadata ->> 'size')::bigint;
  -- One upload of a team at a time; the use is read after the lock, so it
  -- includes every upload recorded before.
  perform pg_advisory_xact_lock(hashtextextended('foldwork.storage-quota:' || team::text, 0));
  select c.job_file_bytes + c.upload_bytes into used from private.team_storage_counts(team) c;
  select coalesce((o.metadata ->> 'size')::bigint, 0) into replaced
  from storage.objects o where o.bucket_id = new.bucket_id and o.name = new.name;
  if used - coalesce(replaced, 0) + size > private.team_storage_quota(team) then
    raise exception 'this upload (% bytes) does not fit the team''s storage quota (% of % bytes used)',
      size, used, private.team_storage_quota(team)
      using errcode = '42501', hint = 'Delete files the team no longer needs, or ask the operators for a larger quota.';
  end if;
  return new;
end;
$$;

revoke all on function private.check_upload_quota() from public;

create trigger check_upload_quota
  before insert or update of metadata on storage.objects
  for each row execute function private.check_upload_quota();
