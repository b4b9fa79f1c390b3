-- /status shows, with each GPU, the jobs on it and the GPU memory each needs:
-- fleet_status's `gpus` (20261209500700_worker_gpu_devices.sql) gains
-- `jobs`, [{ tool, memory_mib }], the jobs its worker runs (a worker's jobs
-- share its GPUs; the fleet does not pin a job to one GPU of a machine),
-- largest need first.
-- Protects: /status is for every signed-in user, so a job is shown by its
-- tool's name and its memory need only: never its id, name, team or input.
create or replace function public.fleet_status()
returns table (compute_class public.compute_class, workers_online integer, slots_total integer, slots_busy integer,
  slots_free integer, queue_depth integer, median_wait_seconds double precision, unavailable_tools jsonb,
  oldest_wait_seconds double precision, finished_last_hour integer, tools jsonb, gpus jsonb)
language sql stable security definer set search_path = ''
as $$
  select s.*,
    coalesce((select jsonb_agg(jsonb_build_object('name', d ->> 'name', 'memory_mib', (d ->> 'memory_mib')::bigint,
                'worker_jobs', (select count(*)::integer from public.jobs j where j.worker_id = w.id and j.status = 'processing'),
                'jobs', (select coalesce(jsonb_agg(jsonb_build_object('tool', t.name, 'memory_mib', j.gpu_memory_mib)
                                                   order by j.gpu_memory_mib desc nulls last, t.name), '[]')
                         from public.jobs j join public.tools t on t.id = j.tool_id
                         where j.worker_id = w.id and j.status = 'processing'))
                order by w.started_at, w.id, d ->> 'name')
              from private.live_workers() w cross join jsonb_array_elements(w.gpu_devices) d
              where w.compute_class = s.compute_class), '[]')
  from private.fleet_status_per_tool() s
  order by s.compute_class
$$;
