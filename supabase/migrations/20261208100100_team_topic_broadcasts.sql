-- What a team's topic `team:<id>` carries (Supabase's "broadcast from the
-- database"; authorised in 20261208100000): triggers send, through
-- realtime.send to the private topic of the row's team,
--   job_added / job_updated {job}   a job as the jobs list shows it (its list
--                                   fields: no input, settings or result);
--                                   updates only when one of those changes,
--                                   so heartbeats send nothing
--   job_deleted {job_id, tool_id}
--   file_added {file}               a job file's metadata, never its bytes
--   credits_changed {balance}       the team's balance after a ledger row
--   roster_changed {}               members or invites changed (no details:
--                                   invites are for owners and admins only;
--                                   the page reads the roster again)
--   share_changed {operation, share}  a job's share: {id, job_id, email,
--                                   user_id, created_at} ({id, job_id} when
--                                   deleted), for the share dialog
-- Protects: every message holds only what any member of that team (viewers
-- included) may read through the team's rows (jobs, job_files,
-- credit_accounts, job_shares) and nothing of another team. The trigger
-- functions are security definer, so realtime.send's insert is the
-- database's, not the client's (clients have no insert policy on team topics).

-- A job's list fields, from the row itself (no second read of the job).
-- PL/pgSQL, not SQL: PostgreSQL 17 plans a SQL function called from a
-- trigger again in every transaction (a third of a progress update's time,
-- measured); PL/pgSQL keeps its plan for the session. It reads the row's
-- fields when it runs, so credits_refunded, which
-- 20261208350000_refund_jobs_cancelled_before_start.sql adds to jobs (a
-- migration that sorts after this one), is there by the time any job
-- changes; the refund is set with the status change that causes it, so the
-- update trigger below need not watch it.
create function private.team_job_json(j public.jobs) returns jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  return jsonb_build_object(
    'id', j.id, 'team_id', j.team_id, 'tool_id', j.tool_id, 'name', j.name, 'status', j.status,
    'progress', j.progress, 'progress_message', j.progress_message, 'submitted_by', j.submitted_by,
    'visibility', j.visibility, 'credits_charged', j.credits_charged, 'credits_refunded', j.credits_refunded,
    'created_at', j.created_at, 'started_at', j.started_at, 'finished_at', j.finished_at, 'updated_at', j.updated_at);
end;
$$;

create function private.team_topic(team_id uuid) returns text
language plpgsql immutable set search_path = ''
as $$
begin
  return 'team:' || team_id::text;
end;
$$;

create function private.broadcast_team_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform realtime.send(jsonb_build_object('job_id', old.id, 'tool_id', old.tool_id), 'job_deleted', private.team_topic(old.team_id), true);
  else
    perform realtime.send(jsonb_build_object('job', private.team_job_json(new)),
      case tg_op when 'INSERT' then 'job_added' else 'job_updated' end, private.team_topic(new.team_id), true);
  end if;
  return null;
end;
$$;

create trigger broadcast_team_job_added
  after insert on public.jobs
  for each row execute function private.broadcast_team_job();

create trigger broadcast_team_job_updated
  after update on public.jobs
  for each row
  when ((old.name, old.status, old.progress, old.progress_message, old.visibility, old.credits_charged,
         old.started_at, old.finished_at)
        is distinct from
        (new.name, new.status, new.progress, new.progress_message, new.visibility, new.credits_charged,
         new.started_at, new.finished_at))
  execute function private.broadcast_team_job();

create trigger broadcast_team_job_deleted
  after delete on public.jobs
  for each row execute function private.broadcast_team_job();

create function private.broadcast_team_file() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  job_team uuid;
begin
  select j.team_id into job_team from public.jobs j where j.id = new.job_id;
  if job_team is not null then
    perform realtime.send(jsonb_build_object('file', jsonb_build_object(
        'id', new.id, 'job_id', new.job_id, 'name', new.name, 'kind', new.kind, 'media_type', new.media_type,
        'size_bytes', new.size_bytes, 'created_at', new.created_at)),
      'file_added', private.team_topic(job_team), true);
  end if;
  return null;
end;
$$;

create trigger broadcast_team_file
  after insert on public.job_files
  for each row execute function private.broadcast_team_file();

create function private.broadcast_team_credits() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('balance', new.balance), 'credits_changed', private.team_topic(new.team_id), true);
  return null;
end;
$$;

create trigger broadcast_team_credits
  after update of balance on public.credit_accounts
  for each row when (old.balance is distinct from new.balance)
  execute function private.broadcast_team_credits();

create function private.broadcast_team_roster() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send('{}'::jsonb, 'roster_changed',
    private.team_topic(case when tg_op = 'DELETE' then old.team_id else new.team_id end), true);
  return null;
end;
$$;

-- Named to sort after signal_member_access_changed (20261207200500): a
-- removed member's channels are checked again, and closed, before this.
create trigger signal_team_roster_changed
  after insert or update or delete on public.team_members
  for each row execute function private.broadcast_team_roster();

create trigger signal_team_roster_changed
  after insert or update or delete on public.team_invites
  for each row execute function private.broadcast_team_roster();

create function private.broadcast_team_share() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  share_job uuid := case when tg_op = 'DELETE' then old.job_id else new.job_id end;
  job_team uuid;
begin
  -- Gone with its job (a cascade): job_deleted says it all.
  select j.team_id into job_team from public.jobs j where j.id = share_job;
  if job_team is null then
    return null;
  end if;
  if tg_op = 'DELETE' then
    perform realtime.send(jsonb_build_object('operation', tg_op, 'share', jsonb_build_object('id', old.id, 'job_id', old.job_id)),
      'share_changed', private.team_topic(job_team), true);
  else
    perform realtime.send(jsonb_build_object('operation', tg_op, 'share', jsonb_build_object(
        'id', new.id, 'job_id', new.job_id, 'email', new.email, 'user_id', new.user_id, 'created_at', new.created_at)),
      'share_changed', private.team_topic(job_team), true);
  end if;
  return null;
end;
$$;

create trigger broadcast_team_share
  after insert or update or delete on public.job_shares
  for each row execute function private.broadcast_team_share();

revoke all on function private.team_job_json(public.jobs), private.team_topic(uuid), private.broadcast_team_job(),
  private.broadcast_team_file(), private.broadcast_team_credits(), private.broadcast_team_roster(),
  private.broadcast_team_share() from public;
