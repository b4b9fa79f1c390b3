-- /status in one RPC, per compute class and per tool: live workers, slots
-- busy and free, jobs waiting, the oldest wait, and throughput (runs ended
-- in the last hour). fleet_status() keeps its columns
-- (20261128100500_worker_tools.sql) and gains oldest_wait_seconds,
-- finished_last_hour and `tools`: one object per enabled tool of the class,
-- [{ tool_id, name, workers_live, slots_total, slots_busy, slots_free,
--    jobs_waiting, oldest_wait_seconds, finished_last_hour }]
-- (a tool's slots are those of the live workers that run it; busy: its
-- jobs running on live workers; free: the free slots of those workers).
-- Protects: as before, counts only, the same for every signed-in user; no
-- team, job or person is named.

-- Throughput reads the runs that ended in the last hour without a scan of every job.
create index jobs_finished_at_idx on public.jobs (finished_at) where finished_at is not null;

-- The class figures as they were become an internal part of the new function.
alter function public.fleet_status() rename to fleet_status_by_class;
alter function public.fleet_status_by_class() set schema private;
revoke all on function private.fleet_status_by_class() from public, anon, authenticated;

create function public.fleet_status()
returns table (compute_class public.compute_class, workers_online integer, slots_total integer, slots_busy integer,
  slots_free integer, queue_depth integer, median_wait_seconds double precision, unavailable_tools jsonb,
  oldest_wait_seconds double precision, finished_last_hour integer, tools jsonb)
language sql stable security definer set search_path = ''
as $$
  with live as (
    select w.id, w.compute_class, w.concurrency, w.tools from private.live_workers() w
  ), busy_on as (
    select j.worker_id, count(*)::integer as n from public.jobs j
    where j.status = 'processing' and j.worker_id in (select l.id from live l) group by j.worker_id
  ), running as (
    select j.tool_id, count(*)::integer as n from public.jobs j
    where j.status = 'processing' and j.worker_id in (select l.id from live l) group by j.tool_id
  ), waiting as (
    select j.tool_id, count(*)::integer as n, extract(epoch from now() - min(j.created_at))::double precision as oldest
    from public.jobs j where j.status in ('pending', 'queued', 'retry') group by j.tool_id
  ), finished as (
    select j.tool_id, count(*)::integer as n from public.jobs j
    where j.finished_at > now() - interval '1 hour' and j.status in ('completed', 'failed', 'timeout')
    group by j.tool_id
  ), per_tool as (
    select t.compute_class, t.id, t.name,
      count(l.id)::integer as workers_live,
      coalesce(sum(l.concurrency), 0)::integer as slots_total,
      coalesce(max(r.n), 0) as slots_busy,
      coalesce(sum(greatest(l.concurrency - coalesce(b.n, 0), 0)), 0)::integer as slots_free,
      coalesce(max(q.n), 0) as jobs_waiting,
      max(q.oldest) as oldest_wait_seconds,
      coalesce(max(f.n), 0) as finished_last_hour
    from public.tools t
    left join live l on l.compute_class = t.compute_class and (l.tools is null or t.id = any (l.tools))
    left join busy_on b on b.worker_id = l.id
    left join running r on r.tool_id = t.id
    left join waiting q on q.tool_id = t.id
    left join finished f on f.tool_id = t.id
    where t.enabled or q.n > 0 or r.n > 0
    group by t.id
  )
  select s.compute_class, s.workers_online, s.slots_total, s.slots_busy, s.slots_free, s.queue_depth,
    s.median_wait_seconds, s.unavailable_tools,
    (select max(p.oldest_wait_seconds) from per_tool p where p.compute_class = s.compute_class),
    (select coalesce(sum(p.finished_last_hour), 0)::integer from per_tool p where p.compute_class = s.compute_class),
    coalesce((select jsonb_agg(jsonb_build_object('tool_id', p.id, 'name', p.name, 'workers_live', p.workers_live,
                'slots_total', p.slots_total, 'slots_busy', p.slots_busy, 'slots_free', p.slots_free,
                'jobs_waiting', p.jobs_waiting, 'oldest_wait_seconds', p.oldest_wait_seconds,
                'finished_last_hour', p.finished_last_hour) order by p.name)
              from per_tool p where p.compute_class = s.compute_class), '[]')
  from private.fleet_status_by_class() s
  order by s.compute_class
$$;

revoke all on function public.fleet_status() from public, anon;
grant execute on function public.fleet_status() to authenticated, service_role;
