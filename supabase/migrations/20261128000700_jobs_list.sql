-- The global jobs page: one team's jobs with tool name, submitter, status,
-- duration and credits; filters by tool, status, submitter and text; newest
-- first; keyset (before_created_at + before_id) or range (page_offset)
-- pagination, with the total count of matching jobs on every row.
-- Protects: nothing new. It runs as the caller (security invoker), so the
-- jobs, tools and profiles policies decide what it returns.

create type public.job_list_row as (
  id uuid,
  team_id uuid,
  name text,
  tool_id text,
  tool_name text,
  status public.job_status,
  progress smallint,
  progress_message text,
  submitted_by uuid,
  submitter_name text,
  visibility public.job_visibility,
  credits_charged integer,
  created_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  duration_seconds double precision,
  total_count bigint
);

create function public.list_team_jobs(
  team_id uuid,
  tool_id text default null,
  statuses public.job_status[] default null,
  submitted_by uuid default null,
  search text default null,
  page_size integer default 50,
  page_offset integer default 0,
  before_created_at timestamptz default null,
  before_id uuid default null
)
returns setof public.job_list_row
language plpgsql stable security invoker set search_path = ''
as $$
#variable_conflict use_column
declare
  pattern text;
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
  if nullif(btrim(list_team_jobs.search), '') is not null then
    pattern := '%' || replace(replace(replace(btrim(list_team_jobs.search), '\', '\\'), '%', '\%'), '_', '\_') || '%';
  end if;

  return query
  with matching as materialized (
    select j.id, j.team_id, j.name, j.tool_id, j.status, j.progress, j.progress_message, j.submitted_by,
      j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at
    from public.jobs j
    where j.team_id = list_team_jobs.team_id
      and (list_team_jobs.tool_id is null or j.tool_id = list_team_jobs.tool_id)
      and (list_team_jobs.statuses is null or j.status = any (list_team_jobs.statuses))
      and (list_team_jobs.submitted_by is null or j.submitted_by = list_team_jobs.submitted_by)
      and (pattern is null or j.name ilike pattern or j.id::text like lower(btrim(list_team_jobs.search)) || '%')
  ),
  page as (
    select m.* from matching m
    where list_team_jobs.before_created_at is null
       or (m.created_at, m.id) < (list_team_jobs.before_created_at, list_team_jobs.before_id)
    order by m.created_at desc, m.id desc
    offset list_team_jobs.page_offset
    limit list_team_jobs.page_size
  )
  select p.id, p.team_id, p.name, p.tool_id, t.name, p.status, p.progress, p.progress_message, p.submitted_by,
    pr.display_name, p.visibility, p.credits_charged, p.created_at, p.started_at, p.finished_at,
    extract(epoch from (coalesce(p.finished_at, case when p.status = 'processing' then now() end) - p.started_at))::double precision,
    (select count(*) from matching)
  from page p
  join public.tools t on t.id = p.tool_id
  left join public.profiles pr on pr.id = p.submitted_by
  order by p.created_at desc, p.id desc;
end;
$$;

revoke all on function public.list_team_jobs(uuid, text, public.job_status[], uuid, text, integer, integer, timestamptz, uuid)
  from public, anon;
grant execute on function public.list_team_jobs(uuid, text, public.job_status[], uuid, text, integer, integer, timestamptz, uuid)
  to authenticated, service_role;
