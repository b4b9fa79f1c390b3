-- Opening one job by its id: public.get_job (the job, its timeline and its
-- files' metadata) and public.get_job_file (one file with its bytes), for the
-- job's team and for anyone the job is shared with who has its link.
-- Protects: outside the owning team a job is read only by its id
-- (private.job_access decides; an unknown id and a job the caller may not
-- open give the same answer, null or no row), and people outside the team
-- never see the team's people or machines: no submitter, no links to the
-- team's other jobs, and no timeline messages (they name worker hosts and
-- who cancelled), except a failure's, which is the job's error.

-- What a timeline message may say outside the team: a failure's message (the
-- job's error, which the job shows anyway); nothing for other changes, whose
-- messages may name a worker host ("Started on ...") or a person ("Cancelled
-- by ..."). The change itself (from, to, when) is always shown.
create function private.job_event_message_for_outsiders(to_status public.job_status, message text) returns text
language plpgsql immutable set search_path = ''
as $$
begin
  return case when to_status in ('failed', 'timeout') then message end;
end;
$$;

-- A job as JSON for the team (every column a client reads) or for people
-- with the link (the same without submitter and links to other jobs); input,
-- settings and result only when asked for (they can be large, so the row is
-- read here by id rather than passed in). Workers' bookkeeping (worker_id,
-- heartbeat_at) is never included. Null when there is no such job.
create function private.job_json(p_job_id uuid, for_team boolean, with_content boolean) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  out jsonb;
begin
  select jsonb_build_object(
      'id', j.id, 'team_id', j.team_id, 'tool_id', j.tool_id, 'name', j.name,
      'status', j.status, 'progress', j.progress, 'progress_message', j.progress_message,
      'error_message', j.error_message, 'error_code', j.error_code, 'credits_charged', j.credits_charged,
      'visibility', j.visibility, 'attempt', j.attempt,
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

create function private.job_event_json(event public.job_events, for_team boolean) returns jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  return jsonb_build_object('id', event.id, 'from_status', event.from_status, 'to_status', event.to_status, 'at', event.at,
    'message', case when for_team then event.message else private.job_event_message_for_outsiders(event.to_status, event.message) end);
end;
$$;

-- A file's metadata, never its bytes (read by id: the content is not touched).
create function private.job_file_json(p_file_id uuid) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select jsonb_build_object('id', f.id, 'name', f.name, 'kind', f.kind, 'media_type', f.media_type,
                                    'size_bytes', f.size_bytes, 'created_at', f.created_at)
          from public.job_files f where f.id = p_file_id);
end;
$$;

-- {access: 'team'|'link', job, submitter_name (team only), events, files}, or
-- null when the job does not exist or the caller may not open it.
create function public.get_job(job_id uuid, with_content boolean default true) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  access text := private.job_access(get_job.job_id);
  for_team boolean := access = 'team';
begin
  if access is null then
    return null;
  end if;
  return jsonb_build_object(
    'access', access,
    'job', private.job_json(get_job.job_id, for_team, coalesce(get_job.with_content, true)),
    'submitter_name', case when for_team then (
      select p.display_name from public.jobs j join public.profiles p on p.id = j.submitted_by where j.id = get_job.job_id) end,
    'events', coalesce((select jsonb_agg(private.job_event_json(e, for_team) order by e.id)
                        from public.job_events e where e.job_id = get_job.job_id), '[]'),
    'files', coalesce((select jsonb_agg(private.job_file_json(f.id) order by f.kind, f.name)
                       from public.job_files f where f.job_id = get_job.job_id), '[]'));
end;
$$;

-- One file with its bytes, when the caller may open its job; no row otherwise.
create function public.get_job_file(file_id uuid)
returns table (id uuid, job_id uuid, name text, media_type text, content bytea)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select f.id, f.job_id, f.name, f.media_type, f.content
    from public.job_files f
    where f.id = get_job_file.file_id and private.job_access(f.job_id) is not null;
end;
$$;

revoke all on function private.job_event_message_for_outsiders(public.job_status, text),
  private.job_json(uuid, boolean, boolean), private.job_event_json(public.job_events, boolean),
  private.job_file_json(uuid) from public;
revoke all on function public.get_job(uuid, boolean), public.get_job_file(uuid) from public;
-- Anonymous visitors open public jobs by their link.
grant execute on function public.get_job(uuid, boolean), public.get_job_file(uuid) to anon, authenticated, service_role;
