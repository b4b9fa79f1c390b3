-- A submission does less PostgreSQL work: it is now the largest share of
-- bench:worker's throughput part (about 1 ms of ~3 ms of PostgreSQL CPU per
-- job; a job's dispatch, claim and finish together cost less). Measured per
-- submission with pg_stat_user_functions, one connection:
--   job_gpu_memory_mib    ~29 us: a SQL function with SET is never inlined,
--                         so PostgreSQL parsed and planned it again for every
--                         INSERT; as PL/pgSQL its plan is kept per session
--                         and a tool without a GPU need returns at once
--   event_added           ~45 us: the "Submitted" event of a new job went to
--                         the job's topic, which nobody can have joined yet
--                         (its id did not exist; joining a job's topic needs a
--                         job the caller may see), so it is not sent
--   credits_changed       realtime.send ran a dynamic SET LOCAL (parsed every
--                         time) for one message; private.send_broadcasts
--                         writes it as the job messages are written
--   claim_input_uploads   ~45 us for a job without files: it asked for the
--                         input's file references twice and checked an empty
--                         list; it now returns at once when no files are
--                         listed and the input names none
-- Protects: the same messages on every topic a client can have joined, the
-- same file checks, the same GPU memory figures (tests/db/gpu-memory-need,
-- job-broadcasts, input-file-refs; tests/security/team-topic).

create or replace function private.job_gpu_memory_mib(tool_id text, input jsonb) returns integer
language plpgsql immutable set search_path = ''
as $$
declare
  sequences jsonb;
begin
  case job_gpu_memory_mib.tool_id
    when 'gpu-selftest' then
      return 512;
    when 'structure-prediction' then
      sequences := job_gpu_memory_mib.input -> 'sequences';
      -- Input the tool will refuse: the largest need, so it never lands where it cannot run.
      if jsonb_typeof(sequences) is distinct from 'array' or jsonb_array_length(sequences) = 0
         or exists (select from jsonb_array_elements(sequences) s where jsonb_typeof(s -> 'sequence') is distinct from 'string') then
        return private.structure_prediction_gpu_memory_mib(null);
      end if;
      return private.structure_prediction_gpu_memory_mib(
        (select max(length(s ->> 'sequence')) from jsonb_array_elements(sequences) s));
    else
      return null;
  end case;
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
  -- A new job's first event (from no status) has no one to reach on the job's topic.
  select array_agg('job:' || e.job_id::text order by e.id), array_agg('event_added'::text),
         array_agg(jsonb_build_object('event', private.job_event_json(e::public.job_events, false)) order by e.id)
    into topics, events, payloads
    from inserted_events e
   where e.from_status is not null;
  perform private.send_broadcasts(topics, events, payloads);
  return null;
end;
$$;

create or replace function private.broadcast_team_credits() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.send_broadcasts(array[private.team_topic(new.team_id)], array['credits_changed'],
    array[jsonb_build_object('balance', new.balance)]);
  return null;
end;
$$;

-- Most submissions list no files and their input names none: nothing to
-- claim, and nothing to walk (the full checks: private.claim_listed_uploads).
alter function private.claim_input_uploads(uuid, uuid, public.tools, jsonb, jsonb) rename to claim_listed_uploads;

create function private.claim_input_uploads(p_team_id uuid, p_uid uuid, p_tool public.tools, p_input jsonb, p_files jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  -- input_file_refs returns at once for an input that names no file.
  if p_files = '[]'::jsonb and not exists (select from private.input_file_refs(p_input)) then
    return '[]';
  end if;
  return private.claim_listed_uploads(p_team_id, p_uid, p_tool, p_input, p_files);
end;
$$;

revoke all on function private.claim_input_uploads(uuid, uuid, public.tools, jsonb, jsonb) from public;
