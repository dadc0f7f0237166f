package org.myelin.server.client.reports;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.reports.ReportRepository;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/** Reporting events, rooms and users (client-server API, "Reporting content"): what is kept, what is refused. */
class ReportIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicLong TXN = new AtomicLong();

    static TestHomeserver hs;
    static ReportRepository stored;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        stored = new ReportRepository(hs.homeserver().database().dataSource());
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void aMemberReportsAnEventWithReasonAndScore() {
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        join(bob, roomId);
        String eventId = send(alice, roomId, "offensive");

        JsonNode answer = ok(bob, "POST", report(roomId, eventId), "{\"reason\":\"this makes me sad\",\"score\":-100}");
        assertEquals(0, answer.size(), "an empty object: " + answer);
        ReportRepository.EventReport kept = stored.eventReports(1).getFirst();
        assertEquals(bob.userId(), kept.reporter());
        assertEquals(roomId, kept.roomId());
        assertEquals(eventId, kept.eventId());
        assertEquals("this makes me sad", kept.reason());
        assertEquals(-100, kept.score());
        assertTrue(Math.abs(System.currentTimeMillis() - kept.receivedTs()) < 600_000, "received now");

        ok(bob, "POST", report(roomId, eventId), "{}");
        ReportRepository.EventReport bare = stored.eventReports(1).getFirst();
        assertEquals(null, bare.reason());
        assertEquals(null, bare.score());
    }

    @Test
    void anEventTheReporterCannotSeeIsNotFound() {
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"state_key\":\"\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        String before = send(alice, roomId, "before bob");
        String otherRoom = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String elsewhere = send(alice, otherRoom, "elsewhere");
        int kept = stored.eventReports(1000).size();

        // Not joined: the spec asks the reporter to be in the room.
        fails(404, "M_NOT_FOUND", bob, "POST", report(roomId, before), "{\"reason\":\"r\"}");
        join(bob, roomId);
        // Joined, but the event came before bob and history is visible to members since they joined only.
        fails(404, "M_NOT_FOUND", bob, "POST", report(roomId, before), "{\"reason\":\"r\"}");
        fails(404, "M_NOT_FOUND", bob, "POST", report(roomId, "$nosuchevent"), "{\"reason\":\"r\"}");
        fails(404, "M_NOT_FOUND", bob, "POST", report(roomId, elsewhere), "{\"reason\":\"r\"}");
        fails(404, "M_NOT_FOUND", bob, "POST", report("!nosuchroom:" + hs.serverName(), elsewhere), "{}");

        String redacted = send(alice, roomId, "soon gone");
        ok(alice, "PUT", room(roomId) + "/redact/" + enc(redacted) + "/t" + TXN.incrementAndGet(), "{}");
        fails(404, "M_NOT_FOUND", bob, "POST", report(roomId, redacted), "{\"reason\":\"r\"}");
        assertEquals(kept, stored.eventReports(1000).size(), "nothing kept");
    }

    @Test
    void malformedEventReportsAreRefused() {
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String eventId = send(alice, roomId, "hello");
        fails(400, "M_BAD_JSON", alice, "POST", report(roomId, eventId), "{\"reason\":42}");
        fails(400, "M_BAD_JSON", alice, "POST", report(roomId, eventId), "{\"reason\":null}");
        fails(400, "M_BAD_JSON", alice, "POST", report(roomId, eventId), "{\"score\":\"-100\"}");
        fails(400, "M_BAD_JSON", alice, "POST", report(roomId, eventId), "{\"score\":-1.5}");
        fails(400, "M_BAD_JSON", alice, "POST", report(roomId, eventId),
                "{\"reason\":\"" + "x".repeat(ReportRoutes.MAX_REASON_LENGTH + 1) + "\"}");
        fails(400, "M_BAD_JSON", alice, "POST", report(roomId, eventId), "[]");
        fails(400, "M_NOT_JSON", alice, "POST", report(roomId, eventId), "reason");
        HttpResponse<String> anonymous = hs.request("POST", report(roomId, eventId), "{}");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("M_MISSING_TOKEN", TestHomeserver.json(anonymous).path("errcode").asText());
        // The reason's bound counts characters, not bytes.
        ok(alice, "POST", report(roomId, eventId), "{\"reason\":\"" + "é".repeat(ReportRoutes.MAX_REASON_LENGTH) + "\"}");
    }

    @Test
    void anyoneReportsARoomTheServerKnowsWithAReason() {
        String roomId = createRoom(alice, "{\"preset\":\"private_chat\"}");
        ok(eve, "POST", room(roomId) + "/report", "{\"reason\":\"spam room\"}");
        ReportRepository.RoomReport kept = stored.roomReports(1).getFirst();
        assertEquals(List.of(eve.userId(), roomId, "spam room"), List.of(kept.reporter(), kept.roomId(), kept.reason()));
        ok(eve, "POST", room(roomId) + "/report", "{\"reason\":\"\"}");
        assertEquals("", stored.roomReports(1).getFirst().reason(), "a blank reason is a reason");

        int count = stored.roomReports(1000).size();
        fails(404, "M_NOT_FOUND", eve, "POST", room("!nosuchroom:" + hs.serverName()) + "/report", "{\"reason\":\"x\"}");
        fails(400, "M_MISSING_PARAM", eve, "POST", room(roomId) + "/report", "{}");
        fails(400, "M_BAD_JSON", eve, "POST", room(roomId) + "/report", "{\"reason\":[\"x\"]}");
        fails(400, "M_BAD_JSON", eve, "POST", room(roomId) + "/report",
                "{\"reason\":\"" + "x".repeat(ReportRoutes.MAX_REASON_LENGTH + 1) + "\"}");
        fails(400, "M_INVALID_PARAM", eve, "POST", room("nosuchroom") + "/report", "{\"reason\":\"x\"}");
        assertEquals(count, stored.roomReports(1000).size(), "nothing more kept");
    }

    @Test
    void usersAreReportedWithoutTellingWhetherTheyExist() {
        ok(alice, "POST", user(eve.userId()) + "/report", "{\"reason\":\"harassment\"}");
        ReportRepository.UserReport kept = stored.userReports(1).getFirst();
        assertEquals(List.of(alice.userId(), eve.userId(), "harassment"),
                List.of(kept.reporter(), kept.targetUserId(), kept.reason()));

        int count = stored.userReports(1000).size();
        JsonNode unknown = ok(alice, "POST", user("@nobody:" + hs.serverName()) + "/report", "{\"reason\":\"x\"}");
        JsonNode remote = ok(alice, "POST", user("@someone:elsewhere.example") + "/report", "{\"reason\":\"x\"}");
        assertEquals(0, unknown.size() + remote.size(), "the same empty answer");
        assertEquals(count, stored.userReports(1000).size(), "no report of users the server cannot act on");

        fails(400, "M_MISSING_PARAM", alice, "POST", user(eve.userId()) + "/report", "{}");
        fails(400, "M_BAD_JSON", alice, "POST", user(eve.userId()) + "/report",
                "{\"reason\":\"" + "x".repeat(ReportRoutes.MAX_REASON_LENGTH + 1) + "\"}");
        fails(400, "M_INVALID_PARAM", alice, "POST", user("eve") + "/report", "{\"reason\":\"x\"}");
        assertEquals(count, stored.userReports(1000).size());
    }

    // ---- helpers ----

    private static String room(String roomId) {
        return V3 + "/rooms/" + enc(roomId);
    }

    private static String report(String roomId, String eventId) {
        return room(roomId) + "/report/" + enc(eventId);
    }

    private static String user(String userId) {
        return V3 + "/users/" + enc(userId);
    }

    private static String createRoom(TestUser user, String body) {
        return ok(user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    private static void join(TestUser user, String roomId) {
        ok(user, "POST", room(roomId) + "/join", "{}");
    }

    private static String send(TestUser user, String roomId, String text) {
        return ok(user, "PUT", room(roomId) + "/send/m.room.message/t" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + text + "\"}").path("event_id").asText();
    }

    private static JsonNode ok(TestUser user, String method, String path, String body) {
        HttpResponse<String> r = hs.authed(user.accessToken(), method, path, body);
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    private static void fails(int status, String errcode, TestUser user, String method, String path, String body) {
        HttpResponse<String> r = hs.authed(user.accessToken(), method, path, body);
        assertEquals(status, r.statusCode(), () -> method + " " + path + ": " + r.body());
        assertEquals(errcode, TestHomeserver.json(r).path("errcode").asText(), r::body);
    }
}
