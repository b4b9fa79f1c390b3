-- Taking access away ends live delivery at once: when a job's visibility
-- changes, it is unshared or deleted, or a member leaves a team, a trigger
-- sends an `access_changed` message through realtime.send. The local
-- Realtime server (supabase/local/realtime/database-broadcast.ts) then runs
-- the join-time read check again, before delivering anything after it, for
-- every channel on the topic (and its sub-topics) and, when the message names
-- a user, for every private channel of that user, and closes those that lost
-- access. (Hosted Supabase Realtime re-checks when the client sends a new
-- access token; there this message is an ordinary broadcast that only the
-- topic's readers receive.)
-- Protects: making a job private or narrower, unsharing it, deleting it, or
-- removing a member stops its updates and presence reaching those who lost
-- access within a second, live connections included.

-- Job-level changes: everyone on `job:<id>` (and `job:<id>:team`) is checked again.
create function private.signal_job_access_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send('{}'::jsonb, 'access_changed', 'job:' || old.id::text, true);
  return null;
end;
$$;

-- The same for a share of the job (the job it belonged to).
create function private.signal_share_access_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send('{}'::jsonb, 'access_changed', 'job:' || old.job_id::text, true);
  return null;
end;
$$;

-- Sorts after broadcast_job_change, so `job_updated` / `job_deleted` go first.
create trigger signal_job_visibility_changed
  after update of visibility on public.jobs
  for each row when (old.visibility is distinct from new.visibility)
  execute function private.signal_job_access_changed();

create trigger signal_job_deleted_access_changed
  after delete on public.jobs
  for each row execute function private.signal_job_access_changed();

-- An unshare, or a share that moves away from the account it was attached to.
create trigger signal_job_unshared
  after delete on public.job_shares
  for each row when (old.user_id is not null)
  execute function private.signal_share_access_changed();

create trigger signal_job_share_moved
  after update of user_id, job_id on public.job_shares
  for each row when (old.user_id is not null and (old.user_id is distinct from new.user_id or old.job_id <> new.job_id))
  execute function private.signal_share_access_changed();

-- A member who leaves a team: every private channel of theirs is checked again
-- (the topic `team:<id>` itself has no readers).
create function private.signal_member_access_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('user_id', old.user_id), 'access_changed', 'team:' || old.team_id::text, true);
  return null;
end;
$$;

create trigger signal_member_access_changed
  after delete on public.team_members
  for each row execute function private.signal_member_access_changed();

revoke all on function private.signal_share_access_changed(), private.signal_job_access_changed(),
  private.signal_member_access_changed() from public;
