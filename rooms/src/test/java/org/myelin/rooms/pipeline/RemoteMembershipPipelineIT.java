package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.sync.MembershipHistory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.rooms.pipeline.TestPipeline.accepted;
import static org.myelin.rooms.pipeline.TestPipeline.content;

/**
 * The pipeline's entries for rooms of other servers: a room joined through {@code send_join}
 * (its state and auth chain stored as outliers, the join as the room's head) and out-of-band
 * memberships (an invite from another server), on real PostgreSQL. The "resident" server is a
 * second pipeline with its own database.
 */
class RemoteMembershipPipelineIT {

    static final String LOCAL = "hs.test";
    static final String RESIDENT = "resident.test";
    static final String ALICE = "@alice:" + RESIDENT;
    static final String BOB = "@bob:" + LOCAL;

    static TestPipeline hs;
    static TestPipeline resident;

    @BeforeAll
    static void start() {
        hs = new TestPipeline(LOCAL);
        resident = new TestPipeline(RESIDENT);
        hs.knownKeys.put(RESIDENT, resident.server.signingKey().verifyKey());
        resident.knownKeys.put(LOCAL, hs.server.signingKey().verifyKey());
    }

    @AfterAll
    static void stop() {
        hs.close();
        resident.close();
    }

    @Test
    void joinsARoomFromTheResidentServersStateAndAuthChain() {
        String roomId = resident.createRoom("12", ALICE, "public");
        accepted(resident.submit(Input.LocalEvent.state(roomId, ALICE, "m.room.topic", "", content("topic", "far"))));
        RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
        Pdu join = joinOn(residentHead, BOB);
        List<Pdu> state = stateOf(residentHead);

        Outcome outcome = hs.submit(new Input.JoinedRemoteRoom(join, state, authChain(state), RESIDENT));
        accepted(outcome);

        RoomHead head = hs.heads.get(roomId).orElseThrow();
        assertEquals(List.of(join.eventId()), head.forwardExtremities());
        assertEquals(join.eventId(), head.currentState().get(StateKey.member(BOB)));
        assertEquals(residentHead.currentState().get(new StateKey("m.room.topic", "")),
                head.currentState().get(new StateKey("m.room.topic", "")));
        MembershipRepository memberships = new MembershipRepository(hs.database.dataSource());
        assertEquals(Set.of(LOCAL, RESIDENT), Set.copyOf(memberships.joinedServers(roomId)));
        StoredEvent storedJoin = hs.eventRepository.byId(join.eventId()).orElseThrow();
        assertNotNull(storedJoin.streamOrdering());
        assertTrue(hs.eventRepository.byId(state.getFirst().eventId()).orElseThrow().outlier());

        // The head survives a restart, and local events build on the join.
        hs.start();
        assertEquals(List.of(join.eventId()), hs.heads.get(roomId).orElseThrow().forwardExtremities());
        Pdu message = accepted(hs.submit(Input.LocalEvent.message(roomId, BOB, "m.room.message",
                content("body", "hello from afar"))));
        assertEquals(List.of(join.eventId()), message.prevEventIds());
        // And the resident server accepts it.
        accepted(resident.submit(new Input.RemoteEvent(join, LOCAL)));
        accepted(resident.submit(new Input.RemoteEvent(message, LOCAL)));
    }

    @Test
    void storesABigRoomsStateAndAuthChainInAFewStatements() {
        String roomId = resident.createRoom("12", ALICE, "public");
        int members = 300;
        for (int i = 0; i < members; i++) {
            String user = "@m" + i + ":" + RESIDENT;
            accepted(resident.submit(Input.LocalEvent.state(roomId, user, "m.room.member", user,
                    content("membership", "join"))));
        }
        RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
        String joiner = "@big:" + LOCAL;
        Pdu join = joinOn(residentHead, joiner);
        List<Pdu> state = stateOf(residentHead);
        List<Pdu> chain = authChain(state);
        long statementsBefore = hs.dataSource.executions();
        long commitsBefore = hs.dataSource.commits();

        accepted(hs.submit(new Input.JoinedRemoteRoom(join, state, chain, RESIDENT)));

        // One transaction per state event cost about ten statements each: over 3,000 here.
        long statements = hs.dataSource.executions() - statementsBefore;
        long commits = hs.dataSource.commits() - commitsBefore;
        assertTrue(statements <= 50, statements + " statements");
        assertTrue(commits <= 3, commits + " commits");
        Set<String> ids = new HashSet<>();
        state.forEach(p -> ids.add(p.eventId()));
        chain.forEach(p -> ids.add(p.eventId()));
        assertEquals(ids, hs.eventRepository.byIds(ids).keySet());
        MembershipRepository memberships = new MembershipRepository(hs.database.dataSource());
        assertEquals(members + 2, memberships.members(roomId, "join").size());
        assertEquals(join.eventId(), hs.heads.get(roomId).orElseThrow().currentState().get(StateKey.member(joiner)));
    }

    @Test
    void joinsARoomWhoseStateOutgrowsTheEventCache() {
        String roomId = resident.createRoom("12", ALICE, "invite");
        for (int i = 0; i < 30; i++) {
            // Each joined member was invited first: its join names the invite among its auth events.
            String user = "@c" + i + ":" + RESIDENT;
            accepted(resident.submit(Input.LocalEvent.state(roomId, ALICE, "m.room.member", user,
                    content("membership", "invite"))));
            accepted(resident.submit(Input.LocalEvent.state(roomId, user, "m.room.member", user,
                    content("membership", "join"))));
        }
        String tinyServer = "tiny.test";
        try (TestPipeline tiny = new TestPipeline(tinyServer)) {
            tiny.knownKeys.put(RESIDENT, resident.server.signingKey().verifyKey());
            tiny.cacheCapacity = 8;
            tiny.start();
            String carol = "@carol:" + tinyServer;
            accepted(resident.submit(Input.LocalEvent.state(roomId, ALICE, "m.room.member", carol,
                    content("membership", "invite"))));
            RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
            List<String> auth = new ArrayList<>();
            ObjectNode joinContent = content("membership", "join");
            for (StateKey key : AuthEventsSelection.requiredFor("m.room.member", carol, carol, joinContent,
                    residentHead.version())) {
                String id = residentHead.currentState().get(key);
                if (id != null) {
                    auth.add(id);
                }
            }
            Pdu join = EventBuilder.in(residentHead.version(), roomId).type("m.room.member").stateKey(carol)
                    .sender(carol).content(joinContent).prevEvents(residentHead.forwardExtremities()).authEvents(auth)
                    .depth(residentHead.maxDepth() + 1).originServerTs(System.currentTimeMillis())
                    .build(tinyServer, tiny.server.signingKey());
            List<Pdu> state = stateOf(residentHead);

            accepted(tiny.submit(new Input.JoinedRemoteRoom(join, state, authChain(state), RESIDENT)));

            MembershipRepository memberships = new MembershipRepository(tiny.database.dataSource());
            assertEquals(32, memberships.members(roomId, "join").size());
        }
    }

    @Test
    void backfilledHistoryFetchesOnlyTheStateBeforeItsOldestEvent() {
        String roomId = resident.createRoom("12", ALICE, "public");
        List<Pdu> history = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String user = "@h" + i + ":" + RESIDENT;
            history.add(accepted(resident.submit(Input.LocalEvent.state(roomId, user, "m.room.member", user,
                    content("membership", "join")))));
            history.add(accepted(resident.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message",
                    content("body", "message " + i)))));
        }
        RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
        List<Pdu> state = stateOf(residentHead);
        accepted(hs.submit(new Input.JoinedRemoteRoom(joinOn(residentHead, "@reader:" + LOCAL), state,
                authChain(state), RESIDENT)));
        Pdu oldest = history.getFirst();
        long snapshot = resident.eventRepository.stateBefore(oldest.eventId()).orElseThrow();
        List<Pdu> stateBeforeOldest = new ArrayList<>();
        resident.snapshots.load(snapshot).values()
                .forEach(id -> stateBeforeOldest.add(resident.eventRepository.byId(id).orElseThrow().pdu()));
        List<String> fetchedAt = new ArrayList<>();
        hs.remote = new RemoteEvents() {
            @Override
            public Optional<Pdu> event(String server, RoomVersion version, String eventId) {
                return resident.eventRepository.byId(eventId).map(StoredEvent::pdu);
            }

            @Override
            public List<Pdu> missingEvents(String server, RoomVersion version, String room, List<String> earliest,
                                           List<String> latest, int limit) {
                return List.of();
            }

            @Override
            public Optional<RemoteState> stateBefore(String server, RoomVersion version, String room, String eventId) {
                fetchedAt.add(eventId);
                return Optional.of(new RemoteState(stateBeforeOldest, authChain(stateBeforeOldest)));
            }
        };
        try {
            // Newest first, as /backfill answers.
            hs.pipeline.backfill(history.reversed(), RESIDENT).forEach(TestPipeline::accepted);
        } finally {
            hs.remote = RemoteEvents.NONE;
        }

        assertEquals(List.of(oldest.eventId()), fetchedAt);
        List<Long> positions = history.stream()
                .map(p -> hs.eventRepository.byId(p.eventId()).orElseThrow().streamOrdering()).toList();
        for (int i = 1; i < positions.size(); i++) {
            assertTrue(positions.get(i - 1) < positions.get(i), "older history sorts earlier: " + positions);
        }
        assertTrue(positions.getLast() < 0, positions.toString());
    }

    @Test
    void refusesAJoinThatTheGivenStateDoesNotAllow() {
        String roomId = resident.createRoom("12", ALICE, "invite");
        RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
        Pdu join = joinOn(residentHead, BOB);
        List<Pdu> state = stateOf(residentHead);

        Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class,
                hs.submit(new Input.JoinedRemoteRoom(join, state, authChain(state), RESIDENT)));
        assertTrue(rejected.reason().contains("join rule"), rejected.toString());
        assertTrue(hs.heads.get(roomId).isEmpty());
    }

    @Test
    void refusesAStateWithoutItsCreateEvent() {
        String roomId = resident.createRoom("12", ALICE, "public");
        RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
        Pdu join = joinOn(residentHead, BOB);
        List<Pdu> state = new ArrayList<>(stateOf(residentHead));
        state.removeIf(p -> p.is(StateKey.CREATE, ""));

        Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class,
                hs.submit(new Input.JoinedRemoteRoom(join, state, List.of(), RESIDENT)));
        assertEquals("state", rejected.rule());
    }

    @Test
    void storesAnInviteFromAnotherServerWithATimelinePositionForSync() {
        String roomId = resident.createRoom("12", ALICE, "invite");
        RoomHead residentHead = resident.heads.get(roomId).orElseThrow();
        String carol = "@carol:" + LOCAL;
        Pdu invite = eventOn(residentHead, ALICE, carol, content("membership", "invite"), RESIDENT);

        Outcome outcome = hs.submit(new Input.OutOfBandMembership(invite, RESIDENT));
        accepted(outcome);

        StoredEvent stored = hs.eventRepository.byId(invite.eventId()).orElseThrow();
        assertTrue(stored.outlier());
        assertNotNull(stored.streamOrdering());
        assertTrue(hs.heads.get(roomId).isEmpty());
        assertEquals("invite", new MembershipRepository(hs.database.dataSource()).of(roomId, carol)
                .orElseThrow().membership());
        var latest = new MembershipHistory(hs.database.dataSource()).latestPerRoom(carol, Long.MAX_VALUE);
        assertEquals(invite.eventId(), latest.get(roomId).eventId());
        // Twice is once.
        assertTrue(((Outcome.Accepted) hs.submit(new Input.OutOfBandMembership(invite, RESIDENT))).event()
                .alreadyKnown());
    }

    @Test
    void preparesALocalEventWithoutCommittingIt() {
        String roomId = hs.createRoom("12", "@dan:" + LOCAL, "invite");
        RoomHead before = hs.heads.get(roomId).orElseThrow();
        Prepared prepared = hs.pipeline.prepare(Input.LocalEvent.state(roomId, "@dan:" + LOCAL, "m.room.member",
                "@erin:elsewhere.test", content("membership", "invite")));
        Pdu invite = assertInstanceOf(Prepared.Ready.class, prepared).pdu();
        assertEquals(before.forwardExtremities(), invite.prevEventIds());
        assertTrue(hs.eventRepository.byId(invite.eventId()).isEmpty());
        assertEquals(before, hs.heads.get(roomId).orElseThrow());

        Prepared refused = hs.pipeline.prepare(Input.LocalEvent.state(roomId, "@mallory:" + LOCAL, "m.room.member",
                "@erin:elsewhere.test", content("membership", "invite")));
        assertInstanceOf(Prepared.Refused.class, refused);
    }

    // ---- what a resident server would answer ----

    private static Pdu joinOn(RoomHead head, String user) {
        return eventOn(head, user, user, content("membership", "join"), LOCAL);
    }

    /** An {@code m.room.member} event on {@code head}, signed by {@code signer}. */
    private static Pdu eventOn(RoomHead head, String sender, String target, ObjectNode content, String signer) {
        List<String> auth = new ArrayList<>();
        for (StateKey key : AuthEventsSelection.requiredFor("m.room.member", target, sender, content, head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                auth.add(id);
            }
        }
        TestPipeline signing = signer.equals(LOCAL) ? hs : resident;
        return EventBuilder.in(head.version(), head.roomId()).type("m.room.member").stateKey(target).sender(sender)
                .content(content).prevEvents(head.forwardExtremities()).authEvents(auth).depth(head.maxDepth() + 1)
                .originServerTs(System.currentTimeMillis()).build(signer, signing.server.signingKey());
    }

    private static List<Pdu> stateOf(RoomHead head) {
        List<Pdu> state = new ArrayList<>();
        for (String id : head.currentState().values()) {
            state.add(resident.eventRepository.byId(id).orElseThrow().pdu());
        }
        return state;
    }

    private static List<Pdu> authChain(List<Pdu> state) {
        Map<String, Pdu> chain = new LinkedHashMap<>();
        Deque<String> todo = new ArrayDeque<>();
        state.forEach(p -> todo.addAll(p.authEventIds()));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (seen.add(id)) {
                Pdu p = resident.eventRepository.byId(id).orElseThrow().pdu();
                chain.put(id, p);
                todo.addAll(p.authEventIds());
            }
        }
        return List.copyOf(chain.values());
    }
}
