package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.RoomHead;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.rooms.pipeline.TestPipeline.accepted;
import static org.myelin.rooms.pipeline.TestPipeline.content;

/** The one event pipeline on a real PostgreSQL: local events, received events, ordering, durability. */
class RoomEventPipelineIT {

    static final String ALICE = "@alice:hs.test";
    static final String REMOTE = "remote.test";
    static final String BOB = "@bob:" + REMOTE;
    static final SigningKey REMOTE_KEY = SigningKey.fromSeed("r1", TestPipeline.seed(REMOTE));

    static TestPipeline hs;

    @BeforeAll
    static void start() {
        hs = new TestPipeline("hs.test");
        hs.knownKeys.put(REMOTE, REMOTE_KEY.verifyKey());
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @ParameterizedTest(name = "room version {0}")
    @ValueSource(strings = {"1", "3", "6", "10", "11", "12"})
    void createsARoomWhoseStateAndTimelineAreStored(String version) {
        String roomId = hs.createRoom(version, ALICE, "public");
        Pdu message = accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message",
                content("msgtype", "m.text", "body", "hello"))));

        RoomHead head = hs.heads.get(roomId).orElseThrow();
        assertEquals(List.of(message.eventId()), head.forwardExtremities());
        assertEquals(Set.of(StateKey.create(), StateKey.member(ALICE), StateKey.powerLevels(), StateKey.joinRules()),
                head.currentState().keySet());

        List<StoredEvent> timeline = hs.eventRepository.timeline(roomId, 0, Long.MAX_VALUE, 100, false);
        assertEquals(List.of("m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules",
                "m.room.message"), timeline.stream().map(e -> e.pdu().type()).toList());
        for (int i = 1; i < timeline.size(); i++) {
            // A single writer builds a chain: each event's only prev event is the one before it.
            assertEquals(List.of(timeline.get(i - 1).eventId()), timeline.get(i).pdu().prevEventIds());
            assertTrue(timeline.get(i).streamOrdering() > timeline.get(i - 1).streamOrdering());
        }
        assertTrue(EventSigning.verify(message.json(), message.roomVersion(), "hs.test",
                hs.server.signingKey().verifyKey()));
    }

    @Test
    void refusesALocalCreateEventForARoomThatExists() {
        String roomId = hs.createRoom("10", ALICE, "public");
        RoomHead before = hs.heads.get(roomId).orElseThrow();
        Outcome outcome = hs.submit(Input.LocalEvent.state(roomId, ALICE, StateKey.CREATE, "",
                content("room_version", "10", "creator", ALICE)));
        assertInstanceOf(Outcome.Rejected.class, outcome);
        assertEquals(before, hs.heads.get(roomId).orElseThrow(), "the room's head is untouched");
    }

    @Test
    void refusesAMessageFromANonMember() {
        String roomId = hs.createRoom("12", ALICE, "invite");
        Outcome outcome = hs.submit(Input.LocalEvent.message(roomId, "@mallory:hs.test", "m.room.message",
                content("body", "let me in")));
        Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome);
        assertTrue(rejected.reason().contains("join") || rejected.reason().contains("member"), rejected.reason());
        assertEquals(4, hs.eventRepository.timeline(roomId, 0, Long.MAX_VALUE, 100, false).size());
    }

    @Test
    void concurrentSendersToOneRoomGetAChainWithoutGapsOrRepeats() throws Exception {
        String roomId = hs.createRoom("12", ALICE, "public");
        int senders = 8;
        int each = 25;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Pdu>> sent = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                for (int i = 0; i < each; i++) {
                    String body = s + "/" + i;
                    sent.add(pool.submit(() -> accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE,
                            "m.room.message", content("body", body))))));
                }
            }
            for (Future<Pdu> f : sent) {
                f.get();
            }
        }
        List<StoredEvent> timeline = hs.eventRepository.timeline(roomId, 0, Long.MAX_VALUE, 1000, false);
        assertEquals(4 + senders * each, timeline.size());
        Set<String> bodies = new HashSet<>();
        for (int i = 4; i < timeline.size(); i++) {
            bodies.add(timeline.get(i).pdu().content().get("body").asText());
            assertEquals(List.of(timeline.get(i - 1).eventId()), timeline.get(i).pdu().prevEventIds());
            assertEquals(timeline.get(i - 1).pdu().depth() + 1, timeline.get(i).pdu().depth());
        }
        assertEquals(senders * each, bodies.size());
    }

    @Test
    void headSurvivesARestartOfEverythingAboveTheDatabase() {
        String roomId = hs.createRoom("12", ALICE, "public");
        Pdu last = accepted(hs.submit(Input.LocalEvent.state(roomId, ALICE, "m.room.topic", "",
                content("topic", "durable"))));
        RoomHead before = hs.heads.get(roomId).orElseThrow();

        hs.start();
        RoomHead after = hs.heads.get(roomId).orElseThrow();
        assertEquals(before.forwardExtremities(), after.forwardExtremities());
        assertEquals(before.currentState(), after.currentState());
        assertEquals(last.depth(), after.maxDepth());
        Pdu next = accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message", content("body", "x"))));
        assertEquals(List.of(last.eventId()), next.prevEventIds());
    }

    // ---- received events ----

    private Pdu remoteJoin(String roomId, String user) {
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        return remoteEvent(head, "m.room.member", user, content("membership", "join"), head.forwardExtremities());
    }

    private Pdu remoteEvent(RoomHead head, String type, String stateKey, ObjectNode content, List<String> prevs) {
        String sender = stateKey != null && stateKey.startsWith("@") ? stateKey : BOB;
        List<String> auth = new ArrayList<>();
        for (StateKey key : org.myelin.protocol.auth.AuthEventsSelection.requiredFor(type, stateKey, sender, content,
                head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                auth.add(id);
            }
        }
        return EventBuilder.in(head.version(), head.roomId()).type(type).stateKey(stateKey).sender(sender)
                .content(content).prevEvents(prevs).authEvents(auth).depth(head.maxDepth() + 1)
                .originServerTs(System.currentTimeMillis()).build(REMOTE, REMOTE_KEY);
    }

    @Test
    void acceptsARemoteJoinToAPublicRoomAndItsMessages() {
        String roomId = hs.createRoom("12", ALICE, "public");
        Pdu join = remoteJoin(roomId, BOB);
        accepted(hs.submit(new Input.RemoteEvent(join, REMOTE)));
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        assertEquals(join.eventId(), head.currentState().get(StateKey.member(BOB)));

        var memberships = new org.myelin.storage.rooms.MembershipRepository(hs.database.dataSource());
        assertEquals("join", memberships.of(roomId, BOB).orElseThrow().membership());
        assertEquals(join.eventId(), memberships.of(roomId, BOB).orElseThrow().eventId());
        assertEquals(Set.of("hs.test", REMOTE), Set.copyOf(memberships.joinedServers(roomId)));
        assertEquals(Set.of("hs.test", REMOTE), memberships.serversSharingARoomWith(ALICE));
        assertEquals(Set.of("hs.test", REMOTE), memberships.serversSharingARoomWith(BOB));
        assertEquals(Set.of(), memberships.serversSharingARoomWith("@nobody:hs.test"));
        assertTrue(memberships.roomsOf(ALICE, "join").stream().anyMatch(m -> m.roomId().equals(roomId)));
        Pdu message = remoteEvent(head, "m.room.message", null, content("body", "hi from afar"),
                head.forwardExtremities());
        accepted(hs.submit(new Input.RemoteEvent(message, REMOTE)));
        assertEquals(List.of(message.eventId()), hs.heads.get(roomId).orElseThrow().forwardExtremities());
    }

    @Test
    void rejectsARemoteEventWithABadSignatureWithoutStoringIt() {
        String roomId = hs.createRoom("12", ALICE, "public");
        Pdu join = remoteJoin(roomId, BOB);
        ObjectNode forged = join.jsonCopy();
        forged.with("signatures").with(REMOTE).put("ed25519:r1", "AAAA" + "A".repeat(82));
        Pdu pdu = Pdu.parse(forged, join.roomVersion());
        Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class,
                hs.submit(new Input.RemoteEvent(pdu, REMOTE)));
        assertEquals("signature", rejected.rule());
        assertFalse(hs.eventRepository.byId(pdu.eventId()).isPresent());
    }

    @Test
    void keepsOnlyTheRedactedFormOfAnEventWhoseContentHashIsWrong() {
        String roomId = hs.createRoom("12", ALICE, "public");
        accepted(hs.submit(new Input.RemoteEvent(remoteJoin(roomId, BOB), REMOTE)));
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu message = remoteEvent(head, "m.room.message", null, content("body", "original"), head.forwardExtremities());
        ObjectNode tampered = message.jsonCopy();
        tampered.with("content").put("body", "tampered in transit");
        Pdu pdu = Pdu.parse(tampered, message.roomVersion());
        assertEquals(message.eventId(), pdu.eventId());
        accepted(hs.submit(new Input.RemoteEvent(pdu, REMOTE)));
        StoredEvent stored = hs.eventRepository.byId(message.eventId()).orElseThrow();
        assertFalse(stored.pdu().content().has("body"));
    }

    @Test
    void storesAnUnauthorisedRemoteEventAsRejected() {
        String roomId = hs.createRoom("12", ALICE, "invite");
        Pdu join = remoteJoin(roomId, BOB);
        Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class,
                hs.submit(new Input.RemoteEvent(join, REMOTE)));
        StoredEvent stored = hs.eventRepository.byId(join.eventId()).orElseThrow();
        assertNotNull(stored.rejectedReason());
        assertTrue(stored.rejectedReason().startsWith(rejected.rule()));
        assertEquals(null, hs.heads.get(roomId).orElseThrow().currentState().get(StateKey.member(BOB)));
    }

    @Test
    void aForkOfTwoRemoteStateEventsLeavesTwoExtremitiesAndAResolvedState() {
        String roomId = hs.createRoom("12", ALICE, "public");
        accepted(hs.submit(new Input.RemoteEvent(remoteJoin(roomId, BOB), REMOTE)));
        ObjectNode pl = TestPipeline.JSON.objectNode();
        pl.putObject("users").put(BOB, 50);
        accepted(hs.submit(Input.LocalEvent.state(roomId, ALICE, "m.room.power_levels", "", pl)));
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu topicA = remoteEvent(head, "m.room.topic", "", content("topic", "A"), head.forwardExtremities());
        Pdu topicB = remoteEvent(head, "m.room.topic", "", content("topic", "B"), head.forwardExtremities());
        accepted(hs.submit(new Input.RemoteEvent(topicA, REMOTE)));
        accepted(hs.submit(new Input.RemoteEvent(topicB, REMOTE)));

        RoomHead forked = hs.heads.get(roomId).orElseThrow();
        assertEquals(Set.of(topicA.eventId(), topicB.eventId()), Set.copyOf(forked.forwardExtremities()));
        String winner = forked.currentState().get(new StateKey("m.room.topic", ""));
        assertTrue(winner.equals(topicA.eventId()) || winner.equals(topicB.eventId()));

        // The next local event merges the fork.
        Pdu merge = accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message",
                content("body", "merge"))));
        assertEquals(Set.of(topicA.eventId(), topicB.eventId()), Set.copyOf(merge.prevEventIds()));
        hs.start();
        assertEquals(winner, hs.heads.get(roomId).orElseThrow().currentState().get(new StateKey("m.room.topic", "")));
        Map<StateKey, String> reloaded = hs.heads.get(roomId).orElseThrow().currentState();
        assertEquals(forked.currentState(), reloaded);
    }

    @Test
    void theSameRemoteEventTwiceIsStoredOnce() {
        String roomId = hs.createRoom("12", ALICE, "public");
        Pdu join = remoteJoin(roomId, BOB);
        accepted(hs.submit(new Input.RemoteEvent(join, REMOTE)));
        Outcome again = hs.submit(new Input.RemoteEvent(join, REMOTE));
        assertTrue(((Outcome.Accepted) again).event().alreadyKnown());
        assertEquals(1, hs.eventRepository.timeline(roomId, 0, Long.MAX_VALUE, 100, false).stream()
                .filter(e -> e.eventId().equals(join.eventId())).count());
    }

    @Test
    void aRemoteStateEventOnAForkIsPartOfTheResolvedState() {
        String roomId = hs.createRoom("12", ALICE, "public");
        accepted(hs.submit(new Input.RemoteEvent(remoteJoin(roomId, BOB), REMOTE)));
        ObjectNode pl = TestPipeline.JSON.objectNode();
        pl.putObject("users").put(BOB, 50);
        accepted(hs.submit(Input.LocalEvent.state(roomId, ALICE, "m.room.power_levels", "", pl)));
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu topic = remoteEvent(head, "m.room.topic", "", content("topic", "from the other branch"),
                head.forwardExtremities());
        // Our branch moves on first; the remote topic then arrives on a fork of its own.
        accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message", content("body", "ours"))));
        accepted(hs.submit(new Input.RemoteEvent(topic, REMOTE)));

        RoomHead forked = hs.heads.get(roomId).orElseThrow();
        assertEquals(2, forked.forwardExtremities().size());
        assertEquals(topic.eventId(), forked.currentState().get(new StateKey("m.room.topic", "")));
    }

    @Test
    void anEventArrivingAfterItsChildIsNoForwardExtremity() {
        String roomId = hs.createRoom("12", ALICE, "public");
        accepted(hs.submit(new Input.RemoteEvent(remoteJoin(roomId, BOB), REMOTE)));
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu first = remoteEvent(head, "m.room.message", null, content("body", "first"), head.forwardExtremities());
        Pdu second = remoteEvent(new RoomHead(roomId, head.version(), List.of(first.eventId()), head.currentState(),
                head.snapshot(), first.depth()), "m.room.message", null, content("body", "second"),
                List.of(first.eventId()));
        // The child comes first; the server gives no missing events, only the state before it.
        List<Pdu> stateEvents = new ArrayList<>();
        head.currentState().values().forEach(id -> stateEvents.add(hs.eventRepository.byId(id).orElseThrow().pdu()));
        hs.remote = new org.myelin.rooms.ports.RemoteEvents() {
            @Override
            public java.util.Optional<Pdu> event(String s, org.myelin.protocol.version.RoomVersion v, String id) {
                return java.util.Optional.empty();
            }

            @Override
            public List<Pdu> missingEvents(String s, org.myelin.protocol.version.RoomVersion v, String r,
                                           List<String> earliest, List<String> latest, int limit) {
                return List.of();
            }

            @Override
            public java.util.Optional<RemoteState> stateBefore(String s, org.myelin.protocol.version.RoomVersion v,
                                                               String r, String eventId) {
                return java.util.Optional.of(new RemoteState(stateEvents, List.of()));
            }
        };
        try {
            accepted(hs.submit(new Input.RemoteEvent(second, REMOTE)));
            accepted(hs.submit(new Input.RemoteEvent(first, REMOTE)));
        } finally {
            hs.remote = org.myelin.rooms.ports.RemoteEvents.NONE;
        }
        assertEquals(List.of(second.eventId()), hs.heads.get(roomId).orElseThrow().forwardExtremities());
        hs.start();
        assertEquals(List.of(second.eventId()), hs.heads.get(roomId).orElseThrow().forwardExtremities());
    }
}
