-- A job's status changes, their timeline events and their broadcasts are
-- written once per statement, not once per row. The messages, their topics
-- and what each holds are those of 20261207200400 (job topic) and
-- 20261208100100 (team topic), and the events those of 20261128000300:
--   jobs inserted   team job_added; a `Submitted` event each (and the
--                   dispatcher's NOTIFY)
--   jobs updated    job topic job_updated when a field a viewer sees
--                   changed; team topic job_updated when a list field
--                   changed; an event each whose status changed (and the
--                   worker's NOTIFY for a cancel)
--   events inserted job topic event_added
-- Why: the fleet moves jobs in batches (the dispatcher queues up to 500 in
-- one UPDATE, a claim or a finish up to 200), and a batch paid a trigger
-- call, a realtime.send subtransaction and a separate INSERT per row for
-- each of these: removing these four broadcasts took PostgreSQL's CPU per
-- job from 3.7 to 2.5 ms in bench:worker's throughput part. Statement
-- triggers with transition tables do each in one INSERT.
-- Deletes stay row triggers (20261207200400, 20261208100100): rare, and
-- their messages carry the old row only.
-- Protects: the same messages with the same contents, so what an outsider
-- with the link sees on a job topic is unchanged (private.job_row_json is
-- private.job_json's shape, now built in one place).

-- Many broadcasts in one INSERT, as realtime.send sends one (payload gets
-- "id": the message's id unless it has one; private topics; an error is a
-- warning, never a failed write). Not set: realtime.topic, which
-- realtime.send sets for insert policies; only the security-definer
-- trigger functions below call this, and clients have no insert policy on
-- these topics anyway.
create function private.send_broadcasts(topics text[], events text[], payloads jsonb[]) returns void
language plpgsql set search_path = ''
as $$
begin
  if topics is null then
    return;
  end if;
  begin
    insert into realtime.messages (id, payload, event, topic, private, extension)
    select m.id, case when m.payload ? 'id' then m.payload else jsonb_set(m.payload, '{id}', to_jsonb(m.id)) end,
           m.event, m.topic, true, 'broadcast'
      from (select gen_random_uuid() as id, t.payload, t.event, t.topic
              from unnest(payloads, events, topics) as t(payload, event, topic)) m;
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

-- The job as private.job_json gives it, from a row in hand.
create function private.job_row_json(j public.jobs, for_team boolean) returns jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  return jsonb_build_object(
    'id', j.id, 'team_id', j.team_id, 'tool_id', j.tool_id, 'name', j.name,
    'status', j.status, 'progress', j.progress, 'progress_message', j.progress_message,
    'error_message', j.error_message, 'error_code', j.error_code, 'credits_charged', j.credits_charged,
    'credits_refunded', j.credits_refunded, 'visibility', j.visibility, 'attempt', j.attempt,
    'submitted_by', case when for_team then j.submitted_by end,
    'retry_of', case when for_team then j.retry_of end,
    'duplicated_from', case when for_team then j.duplicated_from end,
    'created_at', j.created_at, 'queued_at', j.queued_at, 'started_at', j.started_at,
    'finished_at', j.finished_at, 'updated_at', j.updated_at);
end;
$$;

create or replace function private.job_json(p_job_id uuid, for_team boolean, with_content boolean) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  out jsonb;
begin
  select private.job_row_json(j, for_team)
         || case when with_content
              then jsonb_build_object('input', j.input, 'settings', j.settings, 'result', j.result, 'provenance', j.provenance)
              else '{}'::jsonb end
    into out
    from public.jobs j where j.id = p_job_id;
  return out;
end;
$$;

-- Timeline events, one INSERT per statement (the rule of 20261128000300: a
-- caller may describe the change by setting foldwork.status_message).
create or replace function private.record_job_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  message text := nullif(current_setting('foldwork.status_message', true), '');
begin
  if tg_op = 'INSERT' then
    insert into public.job_events (job_id, from_status, to_status, message)
    select n.id, null, n.status, coalesce(message, 'Submitted') from inserted_jobs n;
    perform pg_notify('foldwork_job_pending', n.id::text) from inserted_jobs n;
    return null;
  end if;
  insert into public.job_events (job_id, from_status, to_status, message)
  select n.id, o.status, n.status, coalesce(message,
           case when n.status in ('failed', 'timeout') then n.error_message else n.progress_message end)
    from updated_jobs n join previous_jobs o on o.id = n.id
   where o.status is distinct from n.status;
  perform pg_notify('foldwork_job_cancel', n.id::text)
     from updated_jobs n join previous_jobs o on o.id = n.id
    where n.status = 'cancelled' and o.status is distinct from 'cancelled';
  return null;
end;
$$;

drop trigger record_job_event_on_insert on public.jobs;
drop trigger record_job_event_on_status_change on public.jobs;
create trigger record_job_event_on_insert
  after insert on public.jobs
  referencing new table as inserted_jobs
  for each statement execute function private.record_job_event();
create trigger record_job_event_on_status_change
  after update on public.jobs
  referencing old table as previous_jobs new table as updated_jobs
  for each statement execute function private.record_job_event();

create function private.broadcast_jobs() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  topics text[];
  events text[];
  payloads jsonb[];
begin
  if tg_op = 'INSERT' then
    select array_agg(private.team_topic(n.team_id)), array_agg('job_added'::text),
           array_agg(jsonb_build_object('job', private.team_job_json(n::public.jobs)))
      into topics, events, payloads
      from inserted_jobs n;
  else
    select array_agg(m.topic), array_agg('job_updated'::text), array_agg(m.payload)
      into topics, events, payloads
      from (
        -- Heartbeats (heartbeat_at, worker_id) change nothing a viewer sees: no message.
        select 'job:' || n.id::text as topic, jsonb_build_object('job', private.job_row_json(n::public.jobs, false)) as payload
          from updated_jobs n join previous_jobs o on o.id = n.id
         where (o.name, o.status, o.progress, o.progress_message, o.error_message, o.error_code, o.visibility,
                o.attempt, o.queued_at, o.started_at, o.finished_at)
               is distinct from
               (n.name, n.status, n.progress, n.progress_message, n.error_message, n.error_code, n.visibility,
                n.attempt, n.queued_at, n.started_at, n.finished_at)
        union all
        -- The list's fields only.
        select private.team_topic(n.team_id), jsonb_build_object('job', private.team_job_json(n::public.jobs))
          from updated_jobs n join previous_jobs o on o.id = n.id
         where (o.name, o.status, o.progress, o.progress_message, o.visibility, o.credits_charged,
                o.started_at, o.finished_at)
               is distinct from
               (n.name, n.status, n.progress, n.progress_message, n.visibility, n.credits_charged,
                n.started_at, n.finished_at)
      ) m;
  end if;
  perform private.send_broadcasts(topics, events, payloads);
  return null;
end;
$$;

drop trigger broadcast_job_change on public.jobs;
drop trigger broadcast_team_job_added on public.jobs;
drop trigger broadcast_team_job_updated on public.jobs;
create trigger broadcast_jobs_added
  after insert on public.jobs
  referencing new table as inserted_jobs
  for each statement execute function private.broadcast_jobs();
create trigger broadcast_jobs_updated
  after update on public.jobs
  referencing old table as previous_jobs new table as updated_jobs
  for each statement execute function private.broadcast_jobs();

-- The row triggers that remain send deletes only.
create or replace function private.broadcast_job_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('job_id', old.id), 'job_deleted', 'job:' || old.id::text, true);
  return null;
end;
$$;

create or replace function private.broadcast_team_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('job_id', old.id, 'tool_id', old.tool_id), 'job_deleted', private.team_topic(old.team_id), true);
  return null;
end;
$$;

create or replace function private.broadcast_job_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  topics text[];
  events text[];
  payloads jsonb[];
begin
  select array_agg('job:' || e.job_id::text order by e.id), array_agg('event_added'::text),
         array_agg(jsonb_build_object('event', private.job_event_json(e::public.job_events, false)) order by e.id)
    into topics, events, payloads
    from inserted_events e;
  perform private.send_broadcasts(topics, events, payloads);
  return null;
end;
$$;

drop trigger broadcast_job_event on public.job_events;
create trigger broadcast_job_event
  after insert on public.job_events
  referencing new table as inserted_events
  for each statement execute function private.broadcast_job_event();

revoke all on function private.send_broadcasts(text[], text[], jsonb[]), private.job_row_json(public.jobs, boolean),
  private.broadcast_jobs() from public;
