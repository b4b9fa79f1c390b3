-- Queue insight for job pages and the status page: where a waiting job
-- stands in its compute class's queue and why it waits, and the fleet at a
-- glance (workers online, slots, queue depth, median wait).
-- Protects: a signed-in user learns about their own teams' jobs only; the
-- fleet figures are counts, the same for everyone signed in.

-- Per compute class: live capacity and what occupies it.
create function private.fleet_load()
returns table (compute_class public.compute_class, workers_online integer, slots_total integer, slots_busy integer,
  queued integer, pending integer)
language sql stable security definer set search_path = ''
as $$
  with classes as (select unnest(enum_range(null::public.compute_class)) as cls),
  live as (
    select w.compute_class as cls, count(*)::integer as n, sum(w.concurrency)::integer as slots
    from private.live_workers() w group by w.compute_class
  ),
  live_jobs as (
    select t.compute_class as cls,
      count(*) filter (where j.status = 'processing')::integer as running,
      count(*) filter (where j.status in ('queued', 'retry'))::integer as queued,
      count(*) filter (where j.status = 'pending')::integer as pending
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status in ('pending', 'queued', 'processing', 'retry')
    group by t.compute_class
  )
  select c.cls, coalesce(l.n, 0), coalesce(l.slots, 0), coalesce(lj.running, 0), coalesce(lj.queued, 0), coalesce(lj.pending, 0)
  from classes c left join live l on l.cls = c.cls left join live_jobs lj on lj.cls = c.cls
$$;

-- The fleet for the status page.
create function public.fleet_status()
returns table (compute_class public.compute_class, workers_online integer, slots_total integer, slots_busy integer,
  slots_free integer, queue_depth integer, median_wait_seconds double precision)
language sql stable security definer set search_path = ''
as $$
  select f.compute_class, f.workers_online, f.slots_total, f.slots_busy,
    greatest(f.slots_total - f.slots_busy, 0), f.queued + f.pending,
    (select percentile_cont(0.5) within group (order by extract(epoch from j.started_at - j.created_at))
     from public.jobs j join public.tools t on t.id = j.tool_id
     where t.compute_class = f.compute_class and j.started_at > now() - interval '1 hour')
  from private.fleet_load() f
  order by f.compute_class
$$;

-- For each waiting (pending, queued or retry) job of the caller's teams (all
-- jobs for a service_role JWT), or only those in job_ids: its 1-based place
-- in its class's queue (jobs already queued go first, then by age) and why
-- it waits:
--   no_worker             no live worker of its class (e.g. no GPU worker online)
--   all_slots_busy        every slot of its class is taken
--   waiting_for_dispatch  a slot is free; a worker picks it up next
create function public.job_queue_insight(job_ids uuid[] default null)
returns table (job_id uuid, status public.job_status, compute_class public.compute_class, queue_position integer,
  jobs_ahead integer, reason text, message text)
language sql stable security definer set search_path = ''
as $$
  with waiting as (
    select j.id, j.team_id, j.status, t.compute_class,
      row_number() over (partition by t.compute_class
        order by (j.status = 'pending'), coalesce(j.queued_at, j.created_at), j.created_at, j.id)::integer as place
    from public.jobs j join public.tools t on t.id = j.tool_id
    where j.status in ('pending', 'queued', 'retry')
  )
  select w.id, w.status, w.compute_class, w.place, w.place - 1,
    case
      when f.workers_online = 0 then 'no_worker'
      when f.slots_busy >= f.slots_total then 'all_slots_busy'
      else 'waiting_for_dispatch'
    end,
    case
      when f.workers_online = 0 and w.compute_class = 'gpu' then 'Waiting for GPU resources: no GPU worker is online'
      when f.workers_online = 0 then 'Waiting for a CPU worker: none is online'
      when f.slots_busy >= f.slots_total then format('All %s %s slots are busy; %s job(s) ahead in the queue',
        f.slots_total, w.compute_class, w.place - 1)
      else 'Waiting for a worker to pick it up'
    end
  from waiting w join private.fleet_load() f on f.compute_class = w.compute_class
  where (job_queue_insight.job_ids is null or w.id = any (job_queue_insight.job_ids))
    and ((select auth.role()) = 'service_role' or w.team_id in (select private.user_team_ids()))
  order by w.compute_class, w.place
$$;

revoke all on function private.fleet_load() from public, anon, authenticated;
grant execute on function private.fleet_load() to service_role;
revoke all on function public.fleet_status(), public.job_queue_insight(uuid[]) from public, anon;
grant execute on function public.fleet_status(), public.job_queue_insight(uuid[]) to authenticated, service_role;
