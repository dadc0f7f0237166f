-- The servers of a room's joined members, found by skipping through this index from one server
-- to the next (MembershipRepository.joinedServers) instead of reading every member: each join,
-- leave and EDU of a room asks for them, and a room of 10,000 members on 50 servers is then 50
-- probes, not 10,000 rows.
CREATE INDEX room_memberships_joined_servers
    ON room_memberships (room_id, (substring(user_id from position(':' in user_id) + 1)))
    WHERE membership = 'join';
