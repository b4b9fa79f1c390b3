-- Realtime for a team's pages: a private topic per team, `team:<id>`
-- (Supabase Realtime Authorization: RLS on realtime.messages, checked when a
-- channel joins and again on a new access token and after an access change).
-- It replaces postgres_changes for the jobs list, a tool's History, the
-- files and credits pages, the header's balance, the share dialog and the
-- team page: a change is written once to its team's topic and fanned out to
-- the channels joined to it, instead of being checked against every
-- subscriber's RLS (20261208100100 feeds it).
-- Protects: only members of the team (any role) can join its topic, by the
-- rule that lets them read the team's rows (private.user_team_ids(), which
-- also refuses tokens of ended sessions); other teams' users, invitees of
-- single jobs and anonymous visitors are refused, and an id that does not
-- exist is refused alike. Nobody can broadcast on it from a client (no
-- insert policy: only the database feeds it), and there is no presence on it.

-- The team id of a topic `team:<id>`; null for any other topic. The id must
-- be written as uuids print (lower case).
create function private.team_topic_id(topic text) returns uuid
language plpgsql immutable set search_path = ''
as $$
declare
  parts text[] := regexp_match(topic, '^team:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$');
begin
  if parts is null then
    return null;
  end if;
  return parts[1]::uuid;
end;
$$;

revoke all on function private.team_topic_id(text) from public;
grant execute on function private.team_topic_id(text) to anon, authenticated, service_role;

create policy "Team members can follow their team's topic" on realtime.messages
  for select to authenticated
  using (extension = 'broadcast'
         and private.team_topic_id((select realtime.topic())) in (select private.user_team_ids()));
