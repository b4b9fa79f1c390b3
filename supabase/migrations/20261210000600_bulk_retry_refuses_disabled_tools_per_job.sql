-- A bulk retry refuses the jobs whose tool is turned off one by one, with
-- the reason retry_job gives for one such job, and retries the others.
-- Before, one such job failed the whole call and its preview: pricing its
-- retry (private.retry_credits) raised "the tool … is not available
-- (disabled)", so a team could retry none of 50 failed jobs because one
-- tool was off.
-- The plan of a bulk action (20261209800000_bulk_job_actions.sql) moves
-- unchanged to private.bulk_job_selection; private.bulk_job_plan now adds
-- the tool's refusal for a retry. The words of that refusal have one home,
-- private.tool_refusal, which require_tool raises.
-- Protects: a retry never creates or charges a job of a disabled tool
-- (create_retry still goes through require_tool), and a refused job costs
-- nothing. Tested by tests/db/bulk-actions.test.ts and rpc-errors.test.ts.

-- Why no new job of this tool may be made, or null when one may.
create function private.tool_refusal(p_tool public.tools) returns text
language sql immutable set search_path = ''
as $$
  select case when not p_tool.enabled then format('the tool "%s" is not available (disabled)', p_tool.name) end
$$;

create or replace function private.require_tool(p_tool_id text) returns public.tools
language plpgsql stable security definer set search_path = ''
as $$
declare
  tool public.tools;
  refusal text;
begin
  if p_tool_id is null or btrim(p_tool_id) = '' then
    raise exception 'tool_id is required' using errcode = '22023';
  end if;
  select * into tool from public.tools t where t.id = p_tool_id;
  if not found then
    raise exception 'unknown tool "%"', p_tool_id using errcode = '22023';
  end if;
  refusal := private.tool_refusal(tool);
  if refusal is not null then
    raise exception '%', refusal using errcode = '22023';
  end if;
  return tool;
end;
$$;

alter function private.bulk_job_plan(uuid, uuid, text, uuid[], jsonb) rename to bulk_job_selection;

-- The jobs a bulk action is asked to act on, locked, each with why the
-- caller may not do it (null when they may): private.bulk_job_selection's
-- answer, and for a retry, a job whose tool is turned off.
create function private.bulk_job_plan(p_team_id uuid, p_uid uuid, p_action text, p_job_ids uuid[], p_filter jsonb)
returns table (job_id uuid, job public.jobs, refusal text)
language sql security definer set search_path = ''
as $$
  select s.job_id, s.job, coalesce(s.refusal, case when p_action = 'retry' then private.tool_refusal(t) end)
  from private.bulk_job_selection(p_team_id, p_uid, p_action, p_job_ids, p_filter) s
  left join public.tools t on t.id = (s.job).tool_id
  order by s.job_id
$$;

revoke all on function private.tool_refusal(public.tools), private.bulk_job_plan(uuid, uuid, text, uuid[], jsonb)
  from public, anon, authenticated;
