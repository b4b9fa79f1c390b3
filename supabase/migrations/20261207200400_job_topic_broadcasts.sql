-- What a job's topic carries (Supabase's "broadcast from the database"):
-- triggers send `job_updated` when the job's state changes, `job_deleted`,
-- `event_added` for each timeline event and `file_added` for each file,
-- through realtime.send to the private topic `job:<id>`.
-- Protects: the topic is shared by the job's team and by people outside it
-- with the link, so every message holds only what an outsider may see (the
-- job as private.job_json gives it for the link: no submitter, no links to
-- the team's other jobs, no worker or heartbeat; timeline events without
-- their messages, which name hosts and who acted, except a failure's error;
-- a file's metadata, never its bytes). Members read
-- the rest through get_job. The trigger functions are security definer, so
-- realtime.send's insert is the database's, not the client's (clients have
-- no insert policy for broadcasts on job topics).

create function private.broadcast_job_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform realtime.send(jsonb_build_object('job_id', old.id), 'job_deleted', 'job:' || old.id::text, true);
  else
    perform realtime.send(jsonb_build_object('job', private.job_json(new.id, false, false)), 'job_updated', 'job:' || new.id::text, true);
  end if;
  return null;
end;
$$;

-- Heartbeats (heartbeat_at, worker_id) change nothing a viewer sees: no message.
create trigger broadcast_job_change
  after update on public.jobs
  for each row
  when ((old.name, old.status, old.progress, old.progress_message, old.error_message, old.error_code, old.visibility,
         old.attempt, old.queued_at, old.started_at, old.finished_at)
        is distinct from
        (new.name, new.status, new.progress, new.progress_message, new.error_message, new.error_code, new.visibility,
         new.attempt, new.queued_at, new.started_at, new.finished_at))
  execute function private.broadcast_job_change();

create trigger broadcast_job_deleted
  after delete on public.jobs
  for each row execute function private.broadcast_job_change();

create function private.broadcast_job_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('event', private.job_event_json(new, false)), 'event_added', 'job:' || new.job_id::text, true);
  return null;
end;
$$;

create trigger broadcast_job_event
  after insert on public.job_events
  for each row execute function private.broadcast_job_event();

create function private.broadcast_job_file() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('file', private.job_file_json(new.id)), 'file_added', 'job:' || new.job_id::text, true);
  return null;
end;
$$;

create trigger broadcast_job_file
  after insert on public.job_files
  for each row execute function private.broadcast_job_file();

revoke all on function private.broadcast_job_change(), private.broadcast_job_event(), private.broadcast_job_file() from public;
