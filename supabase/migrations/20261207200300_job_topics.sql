-- Realtime for one job, by its id only: a private topic per job, `job:<id>`,
-- and one for its team's viewers, `job:<id>:team` (Supabase Realtime
-- Authorization: RLS on realtime.messages, checked when a channel joins and
-- again on a new access token and after an access change).
-- Protects: only people who may open the job (private.job_access, the rule
-- get_job uses) can join its topic and receive its updates; nobody can
-- broadcast on it from a client (no insert policy for broadcasts: the
-- database alone feeds it, 20261207200400). Presence on `job:<id>` is a count
-- of viewers anyone who may open the job can join; who is viewing (names) is
-- on `job:<id>:team`, which only members of the job's team can read or
-- write, so people outside the team never see a member's identity and
-- cannot appear to members as a person.

-- The job id of a topic `job:<id>` (sub_topic null) or `job:<id>:<sub_topic>`;
-- null for any other topic. The id must be written as uuids print (lower case).
create function private.job_topic_id(topic text, sub_topic text default null) returns uuid
language plpgsql immutable set search_path = ''
as $$
declare
  parts text[] := regexp_match(topic, '^job:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::([a-z]+))?$');
begin
  if parts is null or parts[2] is distinct from sub_topic then
    return null;
  end if;
  return parts[1]::uuid;
end;
$$;

revoke all on function private.job_topic_id(text, text) from public;
grant execute on function private.job_topic_id(text, text) to anon, authenticated, service_role;

create policy "People who can open a job can follow its topic" on realtime.messages
  for select to anon, authenticated
  using (extension in ('broadcast', 'presence')
         and private.job_access(private.job_topic_id((select realtime.topic()))) is not null);

create policy "People who can open a job can be counted among its viewers" on realtime.messages
  for insert to anon, authenticated
  with check (extension = 'presence'
              and private.job_access(private.job_topic_id((select realtime.topic()))) is not null);

create policy "Team members can see which team mates view a job" on realtime.messages
  for select to authenticated
  using (extension = 'presence'
         and private.job_access(private.job_topic_id((select realtime.topic()), 'team')) = 'team');

create policy "Team members can show team mates they view a job" on realtime.messages
  for insert to authenticated
  with check (extension = 'presence'
              and private.job_access(private.job_topic_id((select realtime.topic()), 'team')) = 'team');
