-- The worker fleet's registry and policy: how workers register, heartbeat
-- and sign off, and when the database considers one gone.
-- Protects: one definition of a "live" worker (and of a stale job heartbeat)
-- shared by the dispatcher, the reaper and the status page; workers write
-- the registry only through these service-role RPCs.

-- Fleet policy (one row). Operators (and tests) tune it with SQL; every
-- worker reads it, so the whole fleet agrees on it.
create table private.fleet_policy (
  singleton boolean primary key default true check (singleton),
  -- A worker, or a running job, not heard from for this long is gone.
  stale_after_seconds integer not null default 15 check (stale_after_seconds between 2 and 3600),
  -- Runs of a job (1 + the retries after a worker died under it).
  max_attempts integer not null default 3 check (max_attempts between 1 and 100),
  -- How long past its tool's time limit a running job may stay `processing`
  -- before the database itself ends it `timeout` (a worker normally does
  -- that at the limit; this is the backstop for a hung one).
  timeout_grace_seconds integer not null default 60 check (timeout_grace_seconds >= 0)
);
insert into private.fleet_policy default values;
revoke all on private.fleet_policy from public, anon, authenticated;
grant select on private.fleet_policy to service_role;

create function private.fleet_stale_after() returns interval
language sql stable security definer set search_path = ''
as $$ select make_interval(secs => p.stale_after_seconds) from private.fleet_policy p $$;

-- A worker that signed off keeps its row (jobs name it) with stopped_at set.
alter table public.workers add column stopped_at timestamptz;
create index workers_live_idx on public.workers (compute_class, last_seen_at) where stopped_at is null;

create function private.live_workers() returns setof public.workers
language sql stable security definer set search_path = ''
as $$
  select w.* from public.workers w
  where w.stopped_at is null and w.last_seen_at > now() - private.fleet_stale_after()
$$;

-- Worker RPCs (service role only) ----------------------------------------------

-- Registers (or re-registers, after the row was lost) a worker; returns the
-- fleet policy it must follow.
create function public.worker_register(worker_id uuid, compute_class public.compute_class, host text,
  concurrency integer, gpus integer, version text)
returns table (stale_after_seconds integer, max_attempts integer)
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.workers as w (id, compute_class, host, concurrency, gpus, version)
  values (worker_register.worker_id, worker_register.compute_class, left(worker_register.host, 255),
    worker_register.concurrency, worker_register.gpus, left(coalesce(worker_register.version, ''), 100))
  on conflict (id) do update
    set last_seen_at = now(), stopped_at = null, concurrency = excluded.concurrency, gpus = excluded.gpus;
  return query select p.stale_after_seconds, p.max_attempts from private.fleet_policy p;
end;
$$;

-- Marks the worker seen and refreshes the heartbeat of the jobs it runs.
-- Returns `registered` false when the worker row is missing (register
-- again) and, in `lost`, the job ids it should stop: those no longer
-- processing under it (cancelled, deleted, or handed to another worker
-- after its heartbeat went stale).
create function public.worker_heartbeat(worker_id uuid, job_ids uuid[])
returns table (registered boolean, lost uuid[])
language plpgsql security definer set search_path = ''
as $$
declare
  kept uuid[];
begin
  update public.workers w set last_seen_at = now() where w.id = worker_heartbeat.worker_id;
  registered := found;
  with beat as (
    update public.jobs j set heartbeat_at = now()
    where j.id = any (worker_heartbeat.job_ids) and j.status = 'processing' and j.worker_id = worker_heartbeat.worker_id
    returning j.id
  )
  select coalesce(array_agg(b.id), '{}') into kept from beat b;
  select coalesce(array_agg(x), '{}') into lost from unnest(worker_heartbeat.job_ids) x where x <> all (kept);
  return next;
end;
$$;

-- Signs off: the worker is no longer counted as live capacity.
create function public.worker_sign_off(worker_id uuid) returns void
language sql security definer set search_path = ''
as $$
  update public.workers w set stopped_at = now(), last_seen_at = now() where w.id = worker_sign_off.worker_id
$$;

revoke all on function public.worker_register(uuid, public.compute_class, text, integer, integer, text),
  public.worker_heartbeat(uuid, uuid[]), public.worker_sign_off(uuid) from public, anon, authenticated;
grant execute on function public.worker_register(uuid, public.compute_class, text, integer, integer, text),
  public.worker_heartbeat(uuid, uuid[]), public.worker_sign_off(uuid) to service_role;
revoke all on function private.fleet_stale_after(), private.live_workers() from public, anon, authenticated;
grant execute on function private.fleet_stale_after(), private.live_workers() to service_role;
