-- What a job got back, where pages read jobs: the jobs list (list_team_jobs'
-- rows gain credits_refunded, so the Credits column can say "2 → refunded")
-- and one job (private.job_json, behind get_job and the job topic's
-- job_updated messages, so a job page shows a refund the moment it happens).
-- Everything else is as in 20261128300000_jobs_list_sort.sql and
-- 20261207200100_get_job.sql.
-- Protects: nothing new. list_team_jobs still runs as the caller (RLS
-- decides its rows); job_json still leaves out the team's people and
-- machines for people outside the team (credits_charged was already shown
-- to them; credits_refunded tells no more).

alter type public.job_list_row add attribute credits_refunded integer;

create or replace function public.list_team_jobs(
  team_id uuid,
  tool_id text default null,
  statuses public.job_status[] default null,
  submitted_by uuid default null,
  search text default null,
  page_size integer default 50,
  page_offset integer default 0,
  before_created_at timestamptz default null,
  before_id uuid default null,
  sort_by text default 'created_at',
  sort_dir text default 'desc'
)
returns setof public.job_list_row
language plpgsql stable security invoker set search_path = ''
as $$
declare
  term text := nullif(btrim(list_team_jobs.search), '');
  pattern text;
  hex text;
  id_low uuid;
  id_high uuid;
  conditions text;
  sort_key text;
  direction text;
  ordering text;
  total bigint;
  tools_by_name text[];
  submitters_by_name uuid[];
begin
  if list_team_jobs.team_id is null then
    raise exception 'team_id is required' using errcode = '22023';
  end if;
  if list_team_jobs.page_size is null or list_team_jobs.page_size < 1 or list_team_jobs.page_size > 200 then
    raise exception 'page_size must be from 1 to 200, not %', coalesce(list_team_jobs.page_size::text, 'nothing') using errcode = '22023';
  end if;
  if list_team_jobs.page_offset is null or list_team_jobs.page_offset < 0 then
    raise exception 'page_offset must be 0 or more, not %', coalesce(list_team_jobs.page_offset::text, 'nothing') using errcode = '22023';
  end if;
  if (list_team_jobs.before_created_at is null) <> (list_team_jobs.before_id is null) then
    raise exception 'before_created_at and before_id go together (the created_at and id of the last row seen)' using errcode = '22023';
  end if;
  sort_key := case list_team_jobs.sort_by
    when 'created_at' then 'j.created_at'
    when 'name' then 'lower(j.name)'
    when 'status' then 'j.status'
    -- Tool and submitter sort by name, through arrays of ids in name order, so the
    -- sort reads only jobs and the names are joined to the one page.
    when 'tool' then 'array_position($13, j.tool_id)'
    when 'submitter' then 'array_position($14, j.submitted_by)'
    when 'duration' then '(coalesce(j.finished_at, case when j.status = ''processing'' then now() end) - j.started_at)'
    when 'credits' then 'j.credits_charged'
  end;
  if sort_key is null then
    raise exception 'sort_by must be one of created_at, name, status, tool, submitter, duration or credits, not %',
      coalesce('"' || list_team_jobs.sort_by || '"', 'nothing') using errcode = '22023';
  end if;
  direction := case lower(list_team_jobs.sort_dir) when 'asc' then 'asc' when 'desc' then 'desc' end;
  if direction is null then
    raise exception 'sort_dir must be asc or desc, not %', coalesce('"' || list_team_jobs.sort_dir || '"', 'nothing') using errcode = '22023';
  end if;
  -- Equal keys list newest first. Nullable keys (no submitter, not started) go last either way.
  ordering := case
    when list_team_jobs.sort_by = 'created_at' then format('j.created_at %s, j.id %s', direction, direction)
    when list_team_jobs.sort_by in ('submitter', 'duration') then format('%s %s nulls last, j.created_at desc, j.id desc', sort_key, direction)
    else format('%s %s, j.created_at desc, j.id desc', sort_key, direction)
  end;
  if list_team_jobs.before_id is not null and list_team_jobs.sort_by <> 'created_at' then
    raise exception 'before_created_at and before_id page through jobs sorted by created_at; with sort_by % use page_offset', list_team_jobs.sort_by
      using errcode = '22023';
  end if;

  if term is not null then
    -- Name contains the text (% and _ literal), or the job id starts with it.
    pattern := '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    hex := replace(lower(term), '-', '');
    if lower(term) ~ '^[0-9a-f-]+$' and hex ~ '^[0-9a-f]{1,32}$' then
      -- uuids compare byte by byte, as their hex text does: a prefix is a range (and uses the primary key).
      id_low := rpad(hex, 32, '0')::uuid;
      id_high := rpad(hex, 32, 'f')::uuid;
    end if;
  end if;
  conditions := private.job_list_conditions(list_team_jobs.tool_id is not null, list_team_jobs.statuses is not null,
    list_team_jobs.submitted_by is not null, pattern is not null, id_low is not null);

  total := private.count_team_jobs_for_member(list_team_jobs.team_id, list_team_jobs.tool_id, list_team_jobs.statuses,
    list_team_jobs.submitted_by, pattern, id_low, id_high);
  if total is null then
    execute 'select count(*) from public.jobs j where ' || conditions
      into total
      using list_team_jobs.team_id, list_team_jobs.tool_id, list_team_jobs.statuses, list_team_jobs.submitted_by, pattern, id_low, id_high;
  end if;

  if list_team_jobs.before_id is not null then
    conditions := conditions || case direction when 'desc' then ' and (j.created_at, j.id) < ($8, $9)' else ' and (j.created_at, j.id) > ($8, $9)' end;
  end if;

  if list_team_jobs.sort_by = 'tool' then
    tools_by_name := array(select t.id from public.tools t order by lower(t.name), t.id);
  elsif list_team_jobs.sort_by = 'submitter' then
    -- The profiles the caller may see (RLS); other submitters' names are hidden, and sort last.
    submitters_by_name := array(select p.id from public.profiles p order by lower(p.display_name), p.id);
  end if;

  -- The page is picked from jobs alone; tool and submitter names join its rows only.
  return query execute format(
    'with page as (
       select j.id, j.team_id, j.name, j.tool_id, j.status, j.progress, j.progress_message, j.submitted_by,
         j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at, j.credits_refunded
       from public.jobs j
       where %s
       order by %s
       offset $10 limit $11
     )
     select j.id, j.team_id, j.name, j.tool_id, t.name, j.status, j.progress, j.progress_message, j.submitted_by,
       pr.display_name, j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at,
       extract(epoch from (coalesce(j.finished_at, case when j.status = ''processing'' then now() end) - j.started_at))::double precision,
       $12::bigint, j.credits_refunded
     from page j
     join public.tools t on t.id = j.tool_id
     left join public.profiles pr on pr.id = j.submitted_by
     order by %s',
    conditions, ordering, ordering)
    using list_team_jobs.team_id, list_team_jobs.tool_id, list_team_jobs.statuses, list_team_jobs.submitted_by, pattern, id_low, id_high,
      list_team_jobs.before_created_at, list_team_jobs.before_id, list_team_jobs.page_offset, list_team_jobs.page_size, total,
      tools_by_name, submitters_by_name;
end;
$$;

create or replace function private.job_json(p_job_id uuid, for_team boolean, with_content boolean) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  out jsonb;
begin
  select jsonb_build_object(
      'id', j.id, 'team_id', j.team_id, 'tool_id', j.tool_id, 'name', j.name,
      'status', j.status, 'progress', j.progress, 'progress_message', j.progress_message,
      'error_message', j.error_message, 'error_code', j.error_code, 'credits_charged', j.credits_charged,
      'credits_refunded', j.credits_refunded, 'visibility', j.visibility, 'attempt', j.attempt,
      'submitted_by', case when for_team then j.submitted_by end,
      'retry_of', case when for_team then j.retry_of end,
      'duplicated_from', case when for_team then j.duplicated_from end,
      'created_at', j.created_at, 'queued_at', j.queued_at, 'started_at', j.started_at,
      'finished_at', j.finished_at, 'updated_at', j.updated_at)
    into out
    from public.jobs j where j.id = p_job_id;
  if with_content and out is not null then
    select out || jsonb_build_object('input', j.input, 'settings', j.settings, 'result', j.result)
      into out
      from public.jobs j where j.id = p_job_id;
  end if;
  return out;
end;
$$;
