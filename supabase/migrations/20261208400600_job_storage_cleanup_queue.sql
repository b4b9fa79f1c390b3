-- Deleting a job (or a whole team) removes its files from Storage. SQL
-- cannot call the Storage API, and a row of storage.objects deleted in SQL
-- would orphan its bytes (hosted Storage refuses such deletes), so the
-- database records what to clean up and the worker fleet removes the
-- objects through the Storage API (worker/storage/janitor.ts).
-- Protects: nothing a deleted job wrote or was given stays in Storage: its
-- folder "<team>/<job>/", and any object a deleted file row named elsewhere
-- (an input still in its upload folder, or another job's input a retry or
-- duplicate used), once no other file row names it. The queue is durable
-- (a job deleted while no worker runs is cleaned up when one starts) and
-- only the fleet reads it.

create table private.storage_cleanup (
  -- A folder (ending in "/": everything under it) or one object's key.
  key text primary key check (char_length(key) between 2 and 1100),
  queued_at timestamptz not null default now()
);
alter table private.storage_cleanup enable row level security;
revoke all on private.storage_cleanup from public, anon, authenticated;

create function private.queue_storage_cleanup(p_key text) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.storage_cleanup (key) values (p_key) on conflict (key) do nothing;
  perform pg_notify('foldwork_storage', '');
end;
$$;

create function private.clean_up_deleted_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.queue_storage_cleanup(old.team_id::text || '/' || old.id::text || '/');
  return null;
end;
$$;

create function private.clean_up_deleted_job_file() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if old.storage_path is not null then
    perform private.queue_storage_cleanup(old.storage_path);
  end if;
  return null;
end;
$$;

-- A deleted team takes its members' uploads with it.
create function private.clean_up_deleted_team() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.queue_storage_cleanup(old.id::text || '/');
  return null;
end;
$$;

create trigger clean_up_deleted_job after delete on public.jobs
  for each row execute function private.clean_up_deleted_job();
create trigger clean_up_deleted_job_file after delete on public.job_files
  for each row execute function private.clean_up_deleted_job_file();
create trigger clean_up_deleted_team after delete on public.teams
  for each row execute function private.clean_up_deleted_team();

revoke all on function private.queue_storage_cleanup(text), private.clean_up_deleted_job(),
  private.clean_up_deleted_job_file(), private.clean_up_deleted_team() from public;
