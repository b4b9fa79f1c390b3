-- Jobs, their timeline (job_events) and files, and the worker fleet registry.
-- Protects: the job state machine of DESIGN.md (only its transitions; terminal
-- states are final; the database sets the lifecycle timestamps), the fields
-- that must not change once a job is submitted, and the timeline, which
-- records every status change. Clients only read jobs; changes go through
-- the RPCs (20261128000600_job_rpcs.sql) or the service role (workers).

create type public.job_status as enum (
  'pending', 'queued', 'processing', 'retry', 'completed', 'failed', 'cancelled', 'timeout');
create type public.job_visibility as enum ('private', 'authenticated', 'invited', 'public');
create type public.job_file_kind as enum ('input', 'output');

-- Workers (written by the fleet with the service role) ------------------------
create table public.workers (
  id uuid primary key default gen_random_uuid(),
  compute_class public.compute_class not null,
  host text not null check (char_length(host) between 1 and 255),
  concurrency integer not null check (concurrency > 0),
  gpus integer not null default 0 check (gpus >= 0),
  version text not null default '',
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index workers_last_seen_at_idx on public.workers (compute_class, last_seen_at desc);

-- Jobs ------------------------------------------------------------------------------
create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  tool_id text not null references public.tools (id),
  submitted_by uuid references public.profiles (id) on delete set null,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  status public.job_status not null default 'pending',
  progress smallint not null default 0 check (progress between 0 and 100),
  progress_message text check (char_length(progress_message) <= 500),
  input jsonb not null check (jsonb_typeof(input) = 'object'),
  settings jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  result jsonb,
  error_message text check (char_length(error_message) <= 4000),
  error_code text check (char_length(error_code) <= 100),
  credits_charged integer not null default 0 check (credits_charged >= 0),
  visibility public.job_visibility not null default 'private',
  -- Execution attempt of this job: 1, plus one each time it leaves `retry`.
  attempt integer not null default 1 check (attempt >= 1),
  retry_of uuid references public.jobs (id) on delete set null,
  duplicated_from uuid references public.jobs (id) on delete set null,
  created_at timestamptz not null default now(),
  queued_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  worker_id uuid references public.workers (id) on delete set null,
  heartbeat_at timestamptz
);

-- The jobs list (team, newest first) and the tool pages' history.
create index jobs_team_created_idx on public.jobs (team_id, created_at desc, id desc);
create index jobs_team_tool_created_idx on public.jobs (team_id, tool_id, created_at desc);
create index jobs_submitted_by_idx on public.jobs (submitted_by);
-- Policies filter on visibility; only shared jobs are worth indexing.
create index jobs_shared_visibility_idx on public.jobs (visibility) where visibility <> 'private';
-- The dispatcher and reaper look at live jobs only.
create index jobs_live_status_idx on public.jobs (status, created_at)
  where status in ('pending', 'queued', 'processing', 'retry');
create index jobs_retry_of_idx on public.jobs (retry_of) where retry_of is not null;
create index jobs_duplicated_from_idx on public.jobs (duplicated_from) where duplicated_from is not null;
create index jobs_worker_id_idx on public.jobs (worker_id) where worker_id is not null;

-- The state machine -------------------------------------------------------------
create function public.job_status_is_terminal(status public.job_status) returns boolean
language plpgsql immutable set search_path = ''
as $$
begin
  return status in ('completed', 'failed', 'cancelled', 'timeout');
end;
$$;

-- DESIGN.md's diagram. One addition: a job waiting in `retry` can be
-- cancelled (a user must be able to stop anything not yet finished).
create function public.job_transition_allowed(from_status public.job_status, to_status public.job_status) returns boolean
language plpgsql immutable set search_path = ''
as $$
begin
  return (from_status::text, to_status::text) in (
    ('pending', 'queued'), ('pending', 'cancelled'),
    ('queued', 'processing'), ('queued', 'cancelled'),
    ('processing', 'completed'), ('processing', 'failed'), ('processing', 'timeout'),
    ('processing', 'retry'), ('processing', 'cancelled'),
    ('retry', 'queued'), ('retry', 'processing'), ('retry', 'cancelled'));
end;
$$;

grant execute on function public.job_status_is_terminal(public.job_status),
  public.job_transition_allowed(public.job_status, public.job_status) to anon, authenticated, service_role;

create function private.before_job_insert() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.status <> 'pending' then
    raise exception 'a new job starts as pending, not %', new.status using errcode = '23514';
  end if;
  new.created_at := now();
  new.updated_at := now();
  new.queued_at := null;
  new.started_at := null;
  new.finished_at := null;
  new.progress := 0;
  new.result := null;
  new.error_message := null;
  new.error_code := null;
  new.attempt := 1;
  new.worker_id := null;
  new.heartbeat_at := null;
  return new;
end;
$$;

create trigger before_job_insert
  before insert on public.jobs
  for each row execute function private.before_job_insert();

-- Fields fixed at submission. A trigger `of` those columns, so that the
-- frequent progress updates never compare (and detoast) large inputs.
create function private.guard_job_fixed_fields() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.id <> old.id then
    raise exception 'job id cannot change' using errcode = '23514';
  elsif new.team_id <> old.team_id then
    raise exception 'job team_id cannot change once the job is submitted' using errcode = '23514';
  elsif new.tool_id <> old.tool_id then
    raise exception 'job tool_id cannot change once the job is submitted' using errcode = '23514';
  elsif new.input is distinct from old.input then
    raise exception 'job input cannot change once the job is submitted' using errcode = '23514';
  elsif new.settings is distinct from old.settings then
    raise exception 'job settings cannot change once the job is submitted' using errcode = '23514';
  elsif new.credits_charged <> old.credits_charged then
    raise exception 'job credits_charged cannot change once the job is submitted' using errcode = '23514';
  elsif new.created_at <> old.created_at then
    raise exception 'job created_at cannot change' using errcode = '23514';
  -- References may only be cleared (the row they named was deleted).
  elsif new.submitted_by is distinct from old.submitted_by and new.submitted_by is not null then
    raise exception 'job submitted_by cannot change' using errcode = '23514';
  elsif new.retry_of is distinct from old.retry_of and new.retry_of is not null then
    raise exception 'job retry_of cannot change' using errcode = '23514';
  elsif new.duplicated_from is distinct from old.duplicated_from and new.duplicated_from is not null then
    raise exception 'job duplicated_from cannot change' using errcode = '23514';
  end if;
  return new;
end;
$$;

create trigger guard_job_fixed_fields
  before update of id, team_id, tool_id, input, settings, credits_charged, created_at,
    submitted_by, retry_of, duplicated_from on public.jobs
  for each row execute function private.guard_job_fixed_fields();

create function private.before_job_update() returns trigger
language plpgsql set search_path = ''
as $$
declare
  time_limit integer;
begin
  -- The database keeps the lifecycle fields.
  new.queued_at := old.queued_at;
  new.started_at := old.started_at;
  new.finished_at := old.finished_at;
  new.attempt := old.attempt;
  new.updated_at := now();

  if new.status = old.status then
    if public.job_status_is_terminal(old.status)
       and (new.progress, new.progress_message, new.error_message, new.error_code, new.heartbeat_at)
           is distinct from (old.progress, old.progress_message, old.error_message, old.error_code, old.heartbeat_at)
       or public.job_status_is_terminal(old.status) and new.result is distinct from old.result then
      raise exception 'job is % and that is final: only its name and visibility can change', old.status
        using errcode = '23514';
    end if;
    return new;
  end if;

  if public.job_status_is_terminal(old.status) then
    raise exception 'job status cannot change from % to %: % is final', old.status, new.status, old.status
      using errcode = '23514';
  end if;
  if not public.job_transition_allowed(old.status, new.status) then
    raise exception 'job status cannot change from % to %', old.status, new.status using errcode = '23514';
  end if;

  case new.status
    when 'queued' then new.queued_at := now();
    when 'processing' then new.started_at := now();
    else null;
  end case;
  if old.status = 'retry' then
    new.attempt := old.attempt + 1;
  end if;
  if public.job_status_is_terminal(new.status) then
    new.finished_at := now();
  end if;
  if new.status = 'completed' then
    new.progress := 100;
  end if;
  if new.status = 'failed' and nullif(btrim(new.error_message), '') is null then
    raise exception 'a failed job needs an error_message saying what was wrong' using errcode = '23514';
  end if;
  if new.status = 'timeout' and new.error_message is null then
    select t.time_limit_seconds into time_limit from public.tools t where t.id = new.tool_id;
    new.error_message := format('The run took longer than the tool''s time limit of %s seconds', time_limit);
    new.error_code := coalesce(new.error_code, 'timeout');
  end if;
  return new;
end;
$$;

create trigger before_job_update
  before update on public.jobs
  for each row execute function private.before_job_update();

-- Timeline ------------------------------------------------------------------------
create table public.job_events (
  id bigint generated always as identity primary key,
  job_id uuid not null references public.jobs (id) on delete cascade,
  from_status public.job_status,
  to_status public.job_status not null,
  at timestamptz not null default clock_timestamp(),
  message text
);
create index job_events_job_id_idx on public.job_events (job_id, id);

-- Records each status change; tells the worker fleet about new and cancelled
-- jobs (delivered on commit). A caller may describe the change by setting
-- foldwork.status_message for its transaction.
create function private.record_job_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  message text := nullif(current_setting('foldwork.status_message', true), '');
begin
  if tg_op = 'INSERT' then
    insert into public.job_events (job_id, from_status, to_status, message)
    values (new.id, null, new.status, coalesce(message, 'Submitted'));
    perform pg_notify('foldwork_job_pending', new.id::text);
    return null;
  end if;
  insert into public.job_events (job_id, from_status, to_status, message)
  values (new.id, old.status, new.status, coalesce(message,
    case when new.status in ('failed', 'timeout') then new.error_message else new.progress_message end));
  if new.status = 'cancelled' then
    perform pg_notify('foldwork_job_cancel', new.id::text);
  end if;
  return null;
end;
$$;

create trigger record_job_event_on_insert
  after insert on public.jobs
  for each row execute function private.record_job_event();
create trigger record_job_event_on_status_change
  after update of status on public.jobs
  for each row when (old.status is distinct from new.status)
  execute function private.record_job_event();

-- Files -----------------------------------------------------------------------------
create table public.job_files (
  id uuid primary key default gen_random_uuid(),
  job_id uuid not null references public.jobs (id) on delete cascade,
  kind public.job_file_kind not null,
  name text not null check (char_length(name) between 1 and 255 and name !~ '[/\\]'),
  media_type text not null default 'application/octet-stream'
    check (media_type ~ '^[a-z0-9][a-z0-9.+-]*/[a-zA-Z0-9][a-zA-Z0-9.+-]*$'),
  size_bytes bigint generated always as (octet_length(content)) stored,
  content bytea not null,
  created_at timestamptz not null default now(),
  unique (job_id, name)
);

-- Row level security ----------------------------------------------------------------
alter table public.workers enable row level security;
alter table public.jobs enable row level security;
alter table public.job_events enable row level security;
alter table public.job_files enable row level security;

create policy "Signed-in users can view the worker fleet" on public.workers
  for select to authenticated using (true);

create policy "Team members can view their team's jobs" on public.jobs
  for select to authenticated using (team_id in (select private.user_team_ids()));
create policy "Signed-in users can view jobs shared with everyone signed in" on public.jobs
  for select to authenticated using (visibility in ('authenticated', 'public'));
create policy "Anyone with the link can view public jobs" on public.jobs
  for select to anon using (visibility = 'public');
-- (Invited users: 20261128000500_sharing.sql.)

-- Events and files follow the job: the subquery applies jobs' own policies.
create policy "People who can view a job can view its events" on public.job_events
  for select to anon, authenticated using (exists (select from public.jobs j where j.id = job_events.job_id));
create policy "People who can view a job can view its files" on public.job_files
  for select to anon, authenticated using (exists (select from public.jobs j where j.id = job_files.job_id));

revoke all on public.workers, public.jobs, public.job_events, public.job_files from anon, authenticated;
grant select on public.jobs, public.job_events, public.job_files to anon, authenticated;
grant select on public.workers to authenticated;
grant all on public.workers, public.jobs, public.job_files to service_role;
-- The timeline is written by the trigger only.
revoke all on public.job_events from service_role;
grant select on public.job_events to service_role;

-- Realtime: job pages and the jobs list follow changes live.
alter publication supabase_realtime add table public.jobs, public.job_events;
