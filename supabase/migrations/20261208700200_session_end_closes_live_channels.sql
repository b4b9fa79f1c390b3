-- Ending a session ends its live channels: when a row of auth.sessions goes
-- (signed out, "sign out everywhere", the user deleted, a session ended by
-- the proven-credentials sign-in), a trigger sends `access_changed` naming
-- the user, so the local Realtime server runs the join-time read check again
-- for every private channel of that user (20261207200500 describes it). The
-- checks refuse tokens of ended sessions (private.caller_session_is_live),
-- so the channels joined with that session's token close, and the user's
-- channels of live sessions stay open. The message's own topic,
-- `session:<id>`, has no readers (no policy admits it).
-- Protects: a team's topic (and a job's) stops reaching whoever holds the
-- token of a session that ended, within a second, instead of until the
-- token expires (up to an hour); before, the database refused such a token
-- everything except a channel it had already joined.

create function private.signal_session_ended() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(jsonb_build_object('user_id', old.user_id), 'access_changed', 'session:' || old.id::text, true);
  return null;
end;
$$;

revoke all on function private.signal_session_ended() from public;

create trigger signal_session_ended
  after delete on auth.sessions
  for each row execute function private.signal_session_ended();
