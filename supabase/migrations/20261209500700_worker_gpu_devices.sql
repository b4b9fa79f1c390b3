-- A GPU worker registers the GPUs it found (model and memory, from
-- nvidia-smi), and /status shows them: fleet_status
-- (20261209500400_fleet_status_per_tool.sql) gains `gpus`, one object per
-- GPU of the class's live workers: [{ name, memory_mib, worker_jobs }]
-- (worker_jobs: the jobs running on that GPU's worker).
-- Protects: what operators and users see of the GPU fleet comes from the
-- machines themselves; only the service role writes it, and /status shows
-- models and counts, never a worker's host.
alter table public.workers add column gpu_devices jsonb not null default '[]'
  constraint workers_gpu_devices_is_array check (jsonb_typeof(gpu_devices) = 'array');

create function worker.worker_register_gpus(worker_id uuid, devices jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if jsonb_typeof(worker_register_gpus.devices) is distinct from 'array' or jsonb_array_length(worker_register_gpus.devices) > 64
     or exists (select from jsonb_array_elements(worker_register_gpus.devices) d
                where jsonb_typeof(d -> 'name') is distinct from 'string' or jsonb_typeof(d -> 'memory_mib') is distinct from 'number'
                   or (d ->> 'memory_mib')::numeric < 0 or (d - array['name', 'memory_mib']) <> '{}'::jsonb) then
    raise exception 'devices must be an array of at most 64 {"name": text, "memory_mib": number}' using errcode = '22023';
  end if;
  update public.workers w
  set gpu_devices = (select coalesce(jsonb_agg(jsonb_build_object('name', left(d ->> 'name', 200),
                       'memory_mib', floor((d ->> 'memory_mib')::numeric)::bigint)), '[]')
                     from jsonb_array_elements(worker_register_gpus.devices) d)
  where w.id = worker_register_gpus.worker_id;
  if not found then
    raise exception 'worker % is not registered', worker_register_gpus.worker_id using errcode = '42704';
  end if;
end;
$$;
revoke all on function worker.worker_register_gpus(uuid, jsonb) from public, anon, authenticated;
grant execute on function worker.worker_register_gpus(uuid, jsonb) to service_role;

alter function public.fleet_status() rename to fleet_status_per_tool;
alter function public.fleet_status_per_tool() set schema private;
revoke all on function private.fleet_status_per_tool() from public, anon, authenticated;

create function public.fleet_status()
returns table (compute_class public.compute_class, workers_online integer, slots_total integer, slots_busy integer,
  slots_free integer, queue_depth integer, median_wait_seconds double precision, unavailable_tools jsonb,
  oldest_wait_seconds double precision, finished_last_hour integer, tools jsonb, gpus jsonb)
language sql stable security definer set search_path = ''
as $$
  select s.*,
    coalesce((select jsonb_agg(jsonb_build_object('name', d ->> 'name', 'memory_mib', (d ->> 'memory_mib')::bigint,
                'worker_jobs', (select count(*)::integer from public.jobs j where j.worker_id = w.id and j.status = 'processing'))
                order by w.started_at, w.id, d ->> 'name')
              from private.live_workers() w cross join jsonb_array_elements(w.gpu_devices) d
              where w.compute_class = s.compute_class), '[]')
  from private.fleet_status_per_tool() s
  order by s.compute_class
$$;

revoke all on function public.fleet_status() from public, anon;
grant execute on function public.fleet_status() to authenticated, service_role;
